import type { JobView } from '@cineweave/contracts';
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  formatEta,
  initialState,
  progressLine,
  stageOf,
  type ProgressState,
} from './progress.ts';

const jobId = '5b3c1a3e-2b6e-4f4e-8a0e-1f2d3c4b5a69';
const queued = initialState({ id: jobId, status: 'queued', steps: 8, progress: 0 } as JobView);

function progress(state: ProgressState, step: number, etaSeconds: number | null): ProgressState {
  return applyEvent(state, {
    type: 'progress',
    data: { jobId, step, totalSteps: 8, percent: (step / 8) * 100, etaSeconds, queuePosition: null },
  });
}

describe('progress state', () => {
  it('should tell the place in the queue, then the stage of the work', () => {
    const ahead = applyEvent(queued, { type: 'status', data: { jobId, status: 'queued', queuePosition: 2 } });
    expect(stageOf(ahead)).toBe('queued, 2 ahead');
    expect(stageOf({ ...ahead, queuePosition: 0 })).toBe('queued, next in line');
    const running = applyEvent(ahead, {
      type: 'status',
      data: { jobId, status: 'running', queuePosition: null },
    });
    expect(stageOf(running)).toBe('starting');
    expect(stageOf(progress(running, 3, 10))).toBe('denoising');
    expect(stageOf(progress(running, 8, 0))).toBe('finishing');
  });

  it('should name the stage the worker reports, so the bar does not sit at the last step', () => {
    const at = (stage: 'denoise' | 'decode' | 'encode' | 'sign' | 'upload', percent: number) =>
      applyEvent(queued, {
        type: 'progress',
        data: { jobId, stage, step: 8, totalSteps: 8, percent, etaSeconds: 4, queuePosition: null },
      });
    expect(stageOf(at('denoise', 70))).toBe('denoising');
    expect(stageOf(at('decode', 80))).toBe('decoding');
    expect(stageOf(at('encode', 90))).toBe('encoding');
    expect(stageOf(at('sign', 92))).toBe('signing');
    expect(progressLine(at('upload', 96))).toBe('5b3c1a3e step 8/8 (96%) · uploading · ETA 0:04');
    const done = applyEvent(at('upload', 99), {
      type: 'completed',
      data: { jobId, status: 'succeeded', creditsCharged: 3, videoUrl: '/v', thumbnailUrl: '/t' },
    });
    expect(done.stage).toBeNull();
    expect(stageOf(done)).toBe('succeeded');
  });

  it('should write a plain line with step n/N and the ETA', () => {
    expect(progressLine(progress(queued, 3, 65))).toBe('5b3c1a3e step 3/8 (37%) · denoising · ETA 1:05');
    expect(progressLine(progress(queued, 1, null))).toBe('5b3c1a3e step 1/8 (12%) · denoising · ETA --');
  });

  it('should show a reconnection notice until the next event', () => {
    const waiting = { ...progress(queued, 2, 5), notice: 'reconnecting in 2 s (connect ECONNREFUSED)' };
    expect(stageOf(waiting)).toBe('reconnecting in 2 s (connect ECONNREFUSED)');
    expect(stageOf(progress(waiting, 3, 4))).toBe('denoising');
  });

  it('should end at 100% on completion and keep the step reached on failure', () => {
    const done = applyEvent(progress(queued, 8, 0), {
      type: 'completed',
      data: { jobId, status: 'succeeded', creditsCharged: 3, videoUrl: '/v', thumbnailUrl: '/t' },
    });
    expect(done).toMatchObject({ status: 'succeeded', percent: 100, step: 8 });
    const cancelled = applyEvent(progress(queued, 4, 3), {
      type: 'failed',
      data: { jobId, status: 'cancelled', reason: 'Cancelled by the user', creditsReleased: 3 },
    });
    expect(cancelled).toMatchObject({ status: 'cancelled', step: 4 });
    expect(stageOf(cancelled)).toBe('cancelled');
  });
});

describe(formatEta.name, () => {
  it.each([
    [null, '--'],
    [0, '0:00'],
    [9.6, '0:10'],
    [65, '1:05'],
    [3723, '1:02:03'],
  ])('should write %s seconds as %s', (seconds, text) => {
    expect(formatEta(seconds)).toBe(text);
  });
});
