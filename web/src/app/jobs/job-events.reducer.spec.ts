import type { JobView } from '@cineweave/contracts';
import { aJob } from '../testing/fake-api';
import { applyJobEvent } from './job-events.reducer';

const ID = '6f1c1f9e-8f0a-4b8e-9d55-0a4a7c2b9e11';
const queued: JobView = aJob({ id: ID, status: 'queued' });

describe('applyJobEvent', () => {
  it('should show the queue position when a status event arrives', () => {
    const job = applyJobEvent(queued, {
      type: 'status',
      data: { jobId: ID, status: 'queued', queuePosition: 3 },
    });
    expect(job.queuePosition).toBe(3);
  });

  it('should keep why a queued job waits from the status event, and drop it once the job runs', () => {
    const waiting = applyJobEvent(queued, {
      type: 'status',
      data: {
        jobId: ID,
        status: 'queued',
        queuePosition: 2,
        queueReason: 'WaitingForWorker',
        queueEtaSeconds: 720,
        queueTeamJobsAhead: 1,
        queueTeamsAhead: 1,
        message: 'two ahead',
      },
    });
    expect(waiting.queue).toEqual({
      position: 2,
      teamJobsAhead: 1,
      teamsAhead: 1,
      reason: 'WaitingForWorker',
      message: 'two ahead',
      etaSeconds: 720,
    });
    const running = applyJobEvent(waiting, {
      type: 'status',
      data: { jobId: ID, status: 'running', queuePosition: null },
    });
    expect(running.queue).toBeUndefined();
  });

  it('should mark the job running with step and ETA when progress arrives', () => {
    const job = applyJobEvent(queued, {
      type: 'progress',
      data: { jobId: ID, step: 10, totalSteps: 50, percent: 20, etaSeconds: 80, queuePosition: null },
    });
    expect(job).toMatchObject({ status: 'running', step: 10, totalSteps: 50, progress: 20, etaSeconds: 80 });
  });

  it('should keep the stage of the last progress event, and clear it when the job ends', () => {
    const uploading = applyJobEvent(queued, {
      type: 'progress',
      data: {
        jobId: ID,
        stage: 'upload',
        step: 50,
        totalSteps: 50,
        percent: 96,
        etaSeconds: 3,
        queuePosition: null,
      },
    });
    expect(uploading).toMatchObject({ status: 'running', stage: 'upload', progress: 96 });
    const done = applyJobEvent(uploading, {
      type: 'completed',
      data: { jobId: ID, status: 'succeeded', creditsCharged: 5, videoUrl: '/v', thumbnailUrl: '/t' },
    });
    expect(done.stage).toBeNull();
  });

  it('should keep the video and charged credits when the job completes', () => {
    const job = applyJobEvent(queued, {
      type: 'completed',
      data: {
        jobId: ID,
        status: 'succeeded',
        creditsCharged: 50,
        videoUrl: 'https://s3/v.mp4',
        thumbnailUrl: 'https://s3/t.jpg',
      },
    });
    expect(job).toMatchObject({
      status: 'succeeded',
      progress: 100,
      creditsCharged: 50,
      videoUrl: 'https://s3/v.mp4',
    });
  });

  it('should keep the reason and released credits when the job fails', () => {
    const job = applyJobEvent(queued, {
      type: 'failed',
      data: { jobId: ID, status: 'failed', reason: 'GPU out of memory', creditsReleased: 50 },
    });
    expect(job).toMatchObject({ status: 'failed', failureReason: 'GPU out of memory', creditsReleased: 50 });
  });
});
