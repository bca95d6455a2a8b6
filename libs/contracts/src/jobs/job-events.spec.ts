import { describe, expect, it } from 'vitest';
import {
  JobCompletedEventSchema,
  JobFailedEventSchema,
  JobProgressEventSchema,
  JobStatusEventSchema,
  JobEventSchema,
  jobEndEvent,
  jobProgressEvent,
  jobStatusEvent,
} from './job-events.ts';

const jobId = '5b3c1a3e-2b6e-4f4e-8a0e-1f2d3c4b5a69';

describe('JobStatusEventSchema', () => {
  it('should accept a queued job with its position', () => {
    expect(JobStatusEventSchema.parse({ jobId, status: 'queued', queuePosition: 3 }).queuePosition).toBe(3);
  });

  it('should reject an unknown status', () => {
    expect(JobStatusEventSchema.safeParse({ jobId, status: 'done', queuePosition: null }).success).toBe(
      false,
    );
  });
});

describe('JobProgressEventSchema', () => {
  it('should accept a step with its eta', () => {
    const event = { jobId, step: 3, totalSteps: 50, percent: 6, etaSeconds: 40.5, queuePosition: null };
    expect(JobProgressEventSchema.parse(event)).toEqual(event);
  });

  it.each([
    { step: -1, totalSteps: 50, percent: 0 },
    { step: 1, totalSteps: 0, percent: 0 },
    { step: 1, totalSteps: 50, percent: 101 },
  ])('should reject %j', (progress) => {
    const event = { jobId, etaSeconds: null, queuePosition: null, ...progress };
    expect(JobProgressEventSchema.safeParse(event).success).toBe(false);
  });
});

describe('JobCompletedEventSchema', () => {
  it('should accept only succeeded jobs', () => {
    const event = { jobId, status: 'succeeded', creditsCharged: 50, videoUrl: '/v', thumbnailUrl: '/t' };
    expect(JobCompletedEventSchema.safeParse(event).success).toBe(true);
    expect(JobCompletedEventSchema.safeParse({ ...event, status: 'failed' }).success).toBe(false);
  });
});

describe('JobFailedEventSchema', () => {
  it('should accept failed and cancelled jobs with the credits released', () => {
    const event = { jobId, status: 'cancelled', reason: 'Cancelled by the user', creditsReleased: 50 };
    expect(JobFailedEventSchema.parse(event)).toEqual(event);
    expect(JobFailedEventSchema.safeParse({ ...event, status: 'succeeded' }).success).toBe(false);
  });
});

describe(jobEndEvent.name, () => {
  const job = { id: jobId, creditsReserved: 12, creditsCharged: null, failureReason: null };

  it('should say where the outputs are and what was charged when a job succeeded', () => {
    const event = jobEndEvent({ ...job, status: 'succeeded', creditsCharged: 12 });
    expect(JobEventSchema.parse(event)).toEqual({
      type: 'completed',
      data: {
        jobId,
        status: 'succeeded',
        creditsCharged: 12,
        videoUrl: `/v1/jobs/${jobId}/video`,
        thumbnailUrl: `/v1/jobs/${jobId}/thumbnail`,
      },
    });
  });

  it('should say why and what was released when a job failed or was cancelled', () => {
    const failed = jobEndEvent({ ...job, status: 'failed', failureReason: 'The engine gave up.' });
    expect(JobEventSchema.parse(failed)).toEqual({
      type: 'failed',
      data: { jobId, status: 'failed', reason: 'The engine gave up.', creditsReleased: 12 },
    });
    expect(jobEndEvent({ ...job, status: 'cancelled' }).data).toMatchObject({
      status: 'cancelled',
      reason: 'The job did not complete.',
      creditsReleased: 12,
    });
  });

  it('should release nothing when a delivered job expired', () => {
    expect(jobEndEvent({ ...job, status: 'expired', creditsCharged: 12 }).data).toMatchObject({
      status: 'expired',
      reason: 'The outputs expired.',
      creditsReleased: 0,
    });
  });

  it('should refuse a job that has not ended', () => {
    expect(() => jobEndEvent({ ...job, status: 'running' })).toThrow('is running: it has not ended');
  });
});

describe(jobProgressEvent.name, () => {
  it('should leave the stage out when the worker reported none', () => {
    const event = jobProgressEvent(jobId, { step: 1, totalSteps: 2, percent: 50 });
    expect(JobEventSchema.parse(event).data).toEqual({
      jobId,
      step: 1,
      totalSteps: 2,
      percent: 50,
      etaSeconds: null,
      queuePosition: null,
    });
  });
});

describe(jobStatusEvent.name, () => {
  it('should carry the teams ahead as counts while the job is queued', () => {
    const standing = {
      position: 3,
      teamJobsAhead: 1,
      teamsAhead: 2,
      reason: 'WaitingForWorker' as const,
      message: '3 jobs are ahead of it',
      etaSeconds: 240,
    };
    expect(JobEventSchema.parse(jobStatusEvent(jobId, 'queued', standing)).data).toMatchObject({
      queuePosition: 3,
      queueTeamJobsAhead: 1,
      queueTeamsAhead: 2,
    });
  });
});

describe('JobEventSchema', () => {
  it('should refuse a payload that does not match its event type', () => {
    const standing = {
      position: 2,
      teamJobsAhead: 0,
      teamsAhead: 1,
      reason: 'WaitingForWorker' as const,
      message: 'Waiting for a free worker',
      etaSeconds: 480,
    };
    const event = { type: 'completed', data: jobStatusEvent(jobId, 'queued', standing).data };
    expect(JobEventSchema.safeParse(event).success).toBe(false);
  });
});
