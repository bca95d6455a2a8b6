import type { JobView } from '@cineweave/contracts';

/** A job as the API would return it, with whatever the test cares about overridden. */
export function aJob(overrides: Partial<JobView> = {}): JobView {
  return {
    id: '6f1c1f9e-8f0a-4b8e-9d55-0a4a7c2b9e11',
    status: 'succeeded',
    prompt: 'A lighthouse in a storm',
    negativePrompt: null,
    imageUploadId: null,
    imageSha256: null,
    resolution: '1280x704',
    durationSeconds: 5,
    fps: 24,
    seed: 42,
    steps: 50,
    guidanceScale: 5,
    model: 'wan2.2-ti2v-5b',
    preset: 'quality',
    priority: 0,
    creditsReserved: 50,
    creditsCharged: null,
    progress: 0,
    stage: null,
    failureReason: null,
    gpuSeconds: null,
    videoUrl: null,
    thumbnailUrl: null,
    videoKey: null,
    thumbnailKey: null,
    outputExpiresAt: null,
    contentCredentials: null,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

export function text(element: Element | null | undefined): string {
  return (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
}
