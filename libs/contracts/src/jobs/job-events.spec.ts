import { describe, expect, it } from 'vitest';
import {
  JobCompletedEventSchema,
  JobFailedEventSchema,
  JobProgressEventSchema,
  JobStatusEventSchema,
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
