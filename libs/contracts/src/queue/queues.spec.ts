import { describe, expect, it } from 'vitest';
import {
  JobProgressSchema,
  JobResultSchema,
  VideoJobPayloadSchema,
  cancelSignalKey,
  modelOfWorkQueue,
  outputKeys,
  workQueueName,
} from './queues.ts';

const ids = {
  jobId: '0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a',
  accountId: '1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d',
  attemptToken: '9a8b7c6d-5e4f-4a3b-9c1d-0e1f2a3b4c5d',
};

const payload = {
  ...ids,
  prompt: 'a lighthouse at dusk',
  resolution: '1280x704',
  durationSeconds: 5,
  fps: 24,
  seed: 1234,
  steps: 50,
  guidanceScale: 5,
  model: 'wan2.2-ti2v-5b',
};

describe('VideoJobPayloadSchema', () => {
  it('should accept a fully resolved payload', () => {
    expect(VideoJobPayloadSchema.parse(payload)).toEqual(payload);
  });

  it('should accept an image-to-video payload', () => {
    const i2v = { ...payload, imageKey: `uploads/${ids.accountId}/x.png` };
    expect(VideoJobPayloadSchema.parse(i2v).imageKey).toBe(i2v.imageKey);
  });

  it.each(['seed', 'attemptToken', 'steps', 'resolution'])('should reject a payload without %s', (field) => {
    const broken: Record<string, unknown> = { ...payload };
    delete broken[field];
    expect(VideoJobPayloadSchema.safeParse(broken).success).toBe(false);
  });

  it('should reject unknown fields', () => {
    expect(VideoJobPayloadSchema.safeParse({ ...payload, priority: 1 }).success).toBe(false);
  });
});

describe('JobProgressSchema', () => {
  it('should accept a step report', () => {
    expect(JobProgressSchema.parse({ step: 1, totalSteps: 4, percent: 25, etaSeconds: 3 }).step).toBe(1);
  });

  it('should reject a percentage over 100', () => {
    expect(JobProgressSchema.safeParse({ step: 1, totalSteps: 4, percent: 125 }).success).toBe(false);
  });
});

describe('JobResultSchema', () => {
  const base = { jobId: ids.jobId, attemptToken: ids.attemptToken, gpuSeconds: 12.5 };

  it('should accept a success with its keys', () => {
    const result = {
      ...base,
      outcome: 'succeeded',
      videoKey: 'outputs/a/b/video.mp4',
      thumbnailKey: 'outputs/a/b/thumbnail.webp',
      durationSeconds: 5.04,
      frames: 121,
      modelHash: 'sha256:abc',
    };
    expect(JobResultSchema.parse(result)).toEqual(result);
  });

  it('should carry the Content Credentials summary of a signed video', () => {
    const contentCredentials = {
      manifestLabel: 'urn:c2pa:430b9a3b-1712-46c4-a35e-c5c429c8e330',
      signer: 'CineWeave test signer (untrusted)',
      issuer: 'CineWeave',
      created: '2026-12-07T04:00:00.000Z',
      generator: 'CineWeave 0.1.0',
      modelId: 'wan2.2-ti2v-5b',
      weightsHash: 'sha256:abc',
      jobId: ids.jobId,
      validation: 'valid',
      validationFailures: ['signingCredential.untrusted'],
    };
    const result = {
      ...base,
      outcome: 'succeeded',
      videoKey: 'v',
      thumbnailKey: 't',
      durationSeconds: 1,
      frames: 25,
      modelHash: 'sha256:abc',
      contentCredentials,
    };
    expect(JobResultSchema.parse(result)).toEqual(result);
    expect(
      JobResultSchema.safeParse({
        ...result,
        contentCredentials: { ...contentCredentials, validation: 'ok' },
      }).success,
    ).toBe(false);
  });

  it('should accept a failure with a reason', () => {
    expect(
      JobResultSchema.parse({ ...base, outcome: 'failed', reason: 'The input image could not be decoded' })
        .outcome,
    ).toBe('failed');
  });

  it('should accept a cancellation', () => {
    expect(JobResultSchema.parse({ ...base, outcome: 'cancelled' }).outcome).toBe('cancelled');
  });

  it.each([
    [
      'a success without its video key',
      { ...base, outcome: 'succeeded', thumbnailKey: 't', durationSeconds: 1, frames: 25, modelHash: 'h' },
    ],
    ['a failure without a reason', { ...base, outcome: 'failed' }],
    ['an unknown outcome', { ...base, outcome: 'exploded' }],
    ['negative gpu seconds', { ...base, gpuSeconds: -1, outcome: 'cancelled' }],
    ['a result without attempt token', { jobId: ids.jobId, gpuSeconds: 1, outcome: 'cancelled' }],
  ])('should reject %s', (_case, result) => {
    expect(JobResultSchema.safeParse(result).success).toBe(false);
  });
});

describe('outputKeys', () => {
  it('should place outputs under outputs/{accountId}/{jobId}/', () => {
    expect(outputKeys('acc', 'job')).toEqual({
      video: 'outputs/acc/job/video.mp4',
      thumbnail: 'outputs/acc/job/thumbnail.webp',
    });
  });
});

describe('cancelSignalKey', () => {
  it('should be unique per job', () => {
    expect(cancelSignalKey('a')).not.toBe(cancelSignalKey('b'));
  });
});

describe('workQueueName', () => {
  it('should name one queue per model, and read the model back from it', () => {
    expect(workQueueName('wan2.2-ti2v-5b')).toBe('video-jobs.wan2.2-ti2v-5b');
    expect(workQueueName('wan2.2-tiny-test')).not.toBe(workQueueName('wan2.2-ti2v-5b'));
    expect(modelOfWorkQueue(workQueueName('wan2.2-tiny-test'))).toBe('wan2.2-tiny-test');
  });

  it('should refuse a model id that could not be a queue name', () => {
    expect(() => workQueueName('a:b')).toThrow();
    expect(modelOfWorkQueue('video-jobs')).toBeNull();
    expect(modelOfWorkQueue('video-results')).toBeNull();
  });
});
