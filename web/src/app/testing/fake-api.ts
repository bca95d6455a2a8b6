import type { Job } from '../core/api/api-types';

/** A job as the API would return it, with whatever the test cares about overridden. */
export function aJob(overrides: Partial<Job> = {}): Job {
  return {
    id: '6f1c1f9e-8f0a-4b8e-9d55-0a4a7c2b9e11',
    status: 'succeeded',
    prompt: 'A lighthouse in a storm',
    negativePrompt: null,
    resolution: '1280x704',
    durationSeconds: 5,
    fps: 24,
    seed: 42,
    steps: 50,
    guidanceScale: 5,
    model: 'wan2.2-ti2v-5b',
    creditsReserved: 50,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

export function text(element: Element | null | undefined): string {
  return (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
}
