import { describe, expect, it } from 'vitest';
import { JOB_STATUSES } from '../jobs/job-status.ts';
import { ConditionSchema } from './conditions.ts';
import { VIDEOJOB_PHASES, VideoJobSpecSchema, VideoJobStatusSchema, phaseForStatus } from './video-job.ts';

describe('VideoJobSpecSchema', () => {
  it("should leave the model and its parameters to the install's catalog and default only the priority", () => {
    // The API applies the install's default model and that model's catalog defaults at admission.
    expect(VideoJobSpecSchema.parse({ prompt: 'waves' })).toEqual({ prompt: 'waves', priority: 50 });
  });

  it('should accept a preset and refuse one it does not know', () => {
    expect(VideoJobSpecSchema.parse({ prompt: 'p', preset: 'fast' }).preset).toBe('fast');
    expect(VideoJobSpecSchema.safeParse({ prompt: 'p', preset: 'turbo' }).error?.issues[0]?.message).toBe(
      'preset must be one of quality, balanced, fast',
    );
  });

  it.each([
    { uploadId: '3f9c8a7e-6d5b-4c4a-9b3a-2e1f0d9c8b7a' },
    { url: 'https://example.com/cat.png' },
    { s3Key: 'uploads/acc/cat.png' },
  ])('should accept image source %j', (image) => {
    expect(VideoJobSpecSchema.parse({ prompt: 'p', image }).image).toEqual(image);
  });

  it.each([
    ['two image sources', { prompt: 'p', image: { url: 'https://x/y.png', s3Key: 'k' } }],
    ['an empty image', { prompt: 'p', image: {} }],
    ['a file URL', { prompt: 'p', image: { url: 'file:///etc/passwd' } }],
    ['an unknown field', { prompt: 'p', replicas: 3 }],
    ['a priority over 100', { prompt: 'p', priority: 101 }],
    ['no prompt', {}],
  ])('should reject %s', (_case, spec) => {
    expect(VideoJobSpecSchema.safeParse(spec).success).toBe(false);
  });
});

describe('phaseForStatus', () => {
  it('should map every job status to a VideoJob phase', () => {
    for (const status of JOB_STATUSES) {
      expect(VIDEOJOB_PHASES).toContain(phaseForStatus(status));
    }
    expect(phaseForStatus('succeeded')).toBe('Succeeded');
  });
});

describe('VideoJobStatusSchema', () => {
  it('should accept a completed status', () => {
    const status = {
      phase: 'Succeeded',
      progress: 100,
      jobId: '3f9c8a7e-6d5b-4c4a-9b3a-2e1f0d9c8b7a',
      output: { objectKey: 'outputs/a/b/video.mp4', thumbnailKey: 'outputs/a/b/thumbnail.webp' },
      creditsReserved: 50,
      creditsCharged: 50,
      gpuSeconds: 312.4,
      observedGeneration: 1,
      conditions: [
        {
          type: 'Complete',
          status: 'True',
          reason: 'Succeeded',
          message: 'Video ready',
          lastTransitionTime: '2026-11-24T10:00:00Z',
        },
      ],
    };
    expect(VideoJobStatusSchema.parse(status)).toEqual(status);
  });

  it('should reject progress over 100 and unknown phases', () => {
    expect(VideoJobStatusSchema.safeParse({ progress: 120 }).success).toBe(false);
    expect(VideoJobStatusSchema.safeParse({ phase: 'Done' }).success).toBe(false);
  });
});

describe('ConditionSchema', () => {
  const condition = {
    type: 'Accepted',
    status: 'True',
    reason: 'Submitted',
    message: '',
    lastTransitionTime: '2026-11-24T10:00:00Z',
  };

  it('should accept a metav1.Condition', () => {
    expect(ConditionSchema.parse({ ...condition, observedGeneration: 2 }).observedGeneration).toBe(2);
  });

  it.each([
    ['a status other than True/False/Unknown', { ...condition, status: 'Yes' }],
    ['a reason with spaces', { ...condition, reason: 'No account' }],
    ['a time that is not RFC 3339', { ...condition, lastTransitionTime: 'yesterday' }],
  ])('should reject %s', (_case, value) => {
    expect(ConditionSchema.safeParse(value).success).toBe(false);
  });
});
