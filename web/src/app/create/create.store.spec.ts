import { TestBed } from '@angular/core/testing';
import { signal } from '@angular/core';
import { ApiError } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { PlatformConfigStore } from '../core/config/platform-config.store';
import { CreditsStore } from '../core/credits/credits.store';
import { DEFAULT_MODEL_CATALOG, type ModelView } from '@cineweave/contracts';
import { aJob } from '../testing/fake-api';
import { CreateStore } from './create.store';

function setup({ available = 1000, api = {} as Partial<CineweaveApi> } = {}) {
  const quote = vi.fn(async (_resolution: string, duration: number) => ({ credits: duration * 10 }));
  const createJob = vi.fn(async () => ({ id: 'job-1' }));
  const credits = { available: signal<number | null>(available), refresh: vi.fn(async () => undefined) };
  TestBed.configureTestingModule({
    providers: [
      CreateStore,
      { provide: CineweaveApi, useValue: { quote, createJob, ...api } },
      { provide: CreditsStore, useValue: credits },
    ],
  });
  return { store: TestBed.inject(CreateStore), quote, createJob, credits };
}

/** Lets the debounced quote effect run and its promise settle. */
async function settle(): Promise<void> {
  TestBed.tick();
  await new Promise((resolve) => setTimeout(resolve, 250));
  TestBed.tick();
}

/** The catalog as `GET /v1/models` lists it: the tiny test model is the default and has a ready worker. */
function catalog(): ModelView[] {
  return DEFAULT_MODEL_CATALOG.map((entry) => ({
    ...entry,
    available: entry.id === 'wan2.2-tiny-test',
    readyWorkers: entry.id === 'wan2.2-tiny-test' ? 1 : 0,
    workerLimits: null,
    default: entry.id === 'wan2.2-tiny-test',
  }));
}

describe(CreateStore.name, () => {
  it('should choose the default model and bring the form inside its limits when the catalog loads', async () => {
    const { store, quote } = setup({ api: { models: vi.fn(async () => catalog()) } });
    await settle();

    expect(store.model()?.id).toBe('wan2.2-tiny-test');
    // The tiny model renders drafts of at most 2 s: HD is not offered and 5 s became its default.
    expect(store.qualityAllowed()).toEqual({ hd: false, draft: true });
    expect(store.resolution()).toBe('640x352');
    expect(store.durationSeconds()).toBe(2);
    expect(store.limits().durationSeconds).toEqual({ min: 1, max: 2 });
    expect(store.request()).toMatchObject({
      model: 'wan2.2-tiny-test',
      preset: 'quality',
      resolution: '640x352',
    });
    expect(quote).toHaveBeenLastCalledWith('640x352', 2, expect.any(AbortSignal), {
      model: 'wan2.2-tiny-test',
      preset: 'quality',
    });
  });

  it("should take a distilled model's own steps, guidance and preset when it is picked", async () => {
    const { store } = setup({ api: { models: vi.fn(async () => catalog()) } });
    await settle();
    store.setModel('fastwan2.2-ti2v-5b');

    expect(store.steps()).toBe(3);
    expect(store.guidanceScale()).toBe(1);
    expect(store.preset()).toBe('fast');
    expect(store.limits().steps).toEqual({ min: 3, max: 3 });
    store.setSteps(50);
    expect(store.fieldErrors().steps).toBe('Steps must be a whole number from 3 to 3.');
  });

  it('should keep a preset only while the model serves it', async () => {
    const { store } = setup({ api: { models: vi.fn(async () => catalog()) } });
    await settle();
    store.setModel('wan2.2-ti2v-5b');
    store.setPreset('balanced');
    expect(store.preset()).toBe('balanced');
    store.setModel('fastwan2.2-ti2v-5b');
    expect(store.preset()).toBe('fast');
  });

  it('should say why there is no model choice when the catalog cannot be loaded', async () => {
    const { store } = setup({ api: { models: vi.fn(async () => Promise.reject(new Error('offline'))) } });
    await settle();
    expect(store.modelsError()).toBe('The models could not be loaded: offline');
    expect(store.request().model).toBeUndefined();
  });

  it('should start from the deployment form defaults when the API gives them', () => {
    TestBed.configureTestingModule({
      providers: [
        CreateStore,
        { provide: CineweaveApi, useValue: { quote: vi.fn(async () => ({ credits: 6 })) } },
        { provide: CreditsStore, useValue: { available: signal<number | null>(100), refresh: vi.fn() } },
        {
          provide: PlatformConfigStore,
          useValue: { config: signal({ formDefaults: { quality: 'draft', durationSeconds: 2, steps: 20 } }) },
        },
      ],
    });
    const store = TestBed.inject(CreateStore);

    expect(store.resolution()).toBe('640x352');
    expect(store.durationSeconds()).toBe(2);
    expect(store.steps()).toBe(20);
  });

  it('should quote the price for the chosen size and length when they change', async () => {
    const { store, quote } = setup();
    store.setDuration(8);
    await settle();

    expect(quote).toHaveBeenLastCalledWith('1280x704', 8, expect.any(AbortSignal), {});
    expect(store.price()).toBe(80);
  });

  it('should pick the portrait draft size when portrait and draft are chosen', () => {
    const { store } = setup();
    store.setOrientation('portrait');
    store.setQuality('draft');

    expect(store.resolution()).toBe('352x640');
  });

  it('should block submit with the reason when credits are short', async () => {
    const { store, createJob } = setup({ available: 20 });
    store.setPrompt('a fox in the snow');
    await settle();

    expect(store.blockedReason()).toBe(
      'Not enough credits: this video costs 50 credits and you have 20 credits available.',
    );
    await expect(store.submit()).resolves.toBeNull();
    expect(createJob).not.toHaveBeenCalled();
  });

  it('should ask for a prompt when the prompt is empty', async () => {
    const { store } = setup();
    await settle();

    expect(store.blockedReason()).toBe('Describe the video you want in the prompt.');
  });

  it('should flag an out-of-range field before sending when a value breaks the limits', async () => {
    const { store } = setup();
    store.setPrompt('a fox');
    store.setSteps(500);
    await settle();

    expect(store.fieldErrors().steps).toBe('Steps must be a whole number from 1 to 100.');
    expect(store.blockedReason()).toBe('Fix the highlighted fields first.');
  });

  it('should send the request with an idempotency key when everything is in order', async () => {
    const { store, createJob } = setup();
    store.setPrompt('  a fox in the snow  ');
    store.setSeed(42);
    await settle();

    await expect(store.submit()).resolves.toEqual({ id: 'job-1' });

    expect(createJob).toHaveBeenCalledWith(
      {
        prompt: 'a fox in the snow',
        resolution: '1280x704',
        durationSeconds: 5,
        seed: 42,
        steps: 50,
        guidanceScale: 5,
      },
      expect.stringMatching(/^[0-9a-f-]{36}$/),
    );
    expect(store.seed()).not.toBe(42);
  });

  it('should keep the seed after submitting when asked to keep it', async () => {
    const { store } = setup();
    store.setPrompt('a fox');
    store.setSeed(7);
    store.setKeepSeed(true);
    await settle();

    await store.submit();

    expect(store.seed()).toBe(7);
  });

  it('should reuse the idempotency key when the same request is retried after a failure', async () => {
    const { store, createJob } = setup();
    createJob.mockRejectedValueOnce(new ApiError(0, null, 'Could not reach the CineWeave API.'));
    store.setPrompt('a fox');
    await settle();

    await store.submit();
    await store.submit();

    const keys = createJob.mock.calls.map((call) => (call as unknown[])[1]);
    expect(keys[0]).toBe(keys[1]);
  });

  it('should put the API message next to its field when the API refuses a field', async () => {
    const { store, createJob } = setup();
    const problem = {
      type: 't',
      title: 'The request is not valid',
      status: 400,
      detail: 'prompt must not contain control characters',
      code: 'VALIDATION_FAILED' as const,
      errors: [{ field: 'prompt', message: 'prompt must not contain control characters' }],
    };
    createJob.mockRejectedValueOnce(new ApiError(400, problem, problem.detail));
    store.setPrompt('a fox');
    await settle();

    await store.submit();

    expect(store.fieldErrors().prompt).toBe('prompt must not contain control characters');
    expect(store.formError()).toBe('prompt must not contain control characters');
  });

  it('should copy every setting when filling from an earlier job', () => {
    const { store } = setup();
    store.copyFrom(
      aJob({
        prompt: 'old prompt',
        negativePrompt: 'blur',
        resolution: '704x1280',
        durationSeconds: 3,
        fps: 24,
        seed: 99,
        steps: 30,
        guidanceScale: 7,
        model: 'wan2.2-ti2v-5b',
        creditsReserved: 30,
      }),
    );

    expect(store.request()).toEqual({
      prompt: 'old prompt',
      negativePrompt: 'blur',
      resolution: '704x1280',
      durationSeconds: 3,
      seed: 99,
      steps: 30,
      guidanceScale: 7,
      // The preset is copied; the model is chosen once the catalog has loaded (it has not here).
      preset: 'quality',
    });
    expect(store.keepSeed()).toBe(true);
  });

  it('should keep image-to-video when copying a job that started from an image', () => {
    const { store } = setup();
    const upload = '0b9f8a52-2c4e-4f0e-9a55-3a4a7c2b9e11';

    store.copyFrom(aJob({ imageUploadId: upload }));

    expect(store.request().imageUploadId).toBe(upload);
    expect(store.image()?.name).toBe('Image from the earlier video');
  });

  it('should refuse an image before uploading when its type is not accepted', async () => {
    const upload = vi.fn();
    const { store } = setup({ api: { upload } });

    await store.chooseImage(new File(['GIF89a'], 'cat.gif', { type: 'image/gif' }));

    expect(upload).not.toHaveBeenCalled();
    expect(store.fieldErrors().image).toBe('cat.gif is not a PNG, JPEG or WebP image.');
    expect(store.image()).toBeNull();
  });
});
