import { DestroyRef, Injectable, computed, effect, inject, signal } from '@angular/core';
import {
  type CreateJobRequest,
  JOB_DEFAULTS,
  JOB_LIMITS,
  type JobView,
  type ModelView,
  NegativePromptSchema,
  PromptSchema,
  type RenderPreset,
  type Resolution,
  type UploadView,
} from '@cineweave/contracts';
import { ApiError, errorMessage } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { PlatformConfigStore } from '../core/config/platform-config.store';
import { CreditsStore } from '../core/credits/credits.store';
import { formatCredits } from '../core/format/format';
import { checkImageFile, checkImageSize, readImageSize } from './image-check';

export type Orientation = 'landscape' | 'portrait';
export type Quality = 'hd' | 'draft';
export type CreateField =
  | 'prompt'
  | 'negativePrompt'
  | 'image'
  | 'durationSeconds'
  | 'seed'
  | 'steps'
  | 'guidanceScale'
  | 'resolution'
  | 'model'
  | 'preset';

const RESOLUTION_BY: Record<Quality, Record<Orientation, Resolution>> = {
  hd: { landscape: '1280x704', portrait: '704x1280' },
  draft: { landscape: '640x352', portrait: '352x640' },
};

/** Which form field an API error path belongs to. */
const FIELD_OF: Record<string, CreateField> = {
  prompt: 'prompt',
  negativePrompt: 'negativePrompt',
  imageUploadId: 'image',
  file: 'image',
  image: 'image',
  durationSeconds: 'durationSeconds',
  seed: 'seed',
  steps: 'steps',
  guidanceScale: 'guidanceScale',
  resolution: 'resolution',
  model: 'model',
  preset: 'preset',
};

/** What each preset means to a person choosing it. */
export const PRESET_LABELS: Record<RenderPreset, { label: string; hint: string }> = {
  quality: { label: 'Quality', hint: "the model's full sampling" },
  balanced: { label: 'Balanced', hint: 'step caching: faster, nearly the same' },
  fast: { label: 'Fast', hint: 'a few-step distilled model' },
};

export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

interface ImageState {
  /** Null when the image is an earlier job's upload, reused by "copy settings". */
  file: File | null;
  name: string;
  previewUrl: string | null;
  upload: UploadView | null;
  uploading: boolean;
}

/** The create form: its values, the live quote, client checks, upload, and submission. */
@Injectable()
export class CreateStore {
  private readonly api = inject(CineweaveApi);
  private readonly credits = inject(CreditsStore);
  /** The deployment's form defaults from `GET /v1/config`, loaded at start. */
  private readonly formDefaults = inject(PlatformConfigStore).config()?.formDefaults;

  private readonly promptState = signal('');
  private readonly negativePromptState = signal('');
  private readonly orientationState = signal<Orientation>('landscape');
  private readonly qualityState = signal<Quality>(this.formDefaults?.quality ?? 'hd');
  private readonly durationState = signal<number>(
    this.formDefaults?.durationSeconds ?? JOB_DEFAULTS.durationSeconds,
  );
  private readonly seedState = signal<number>(randomSeed());
  private readonly keepSeedState = signal(false);
  private readonly stepsState = signal<number>(this.formDefaults?.steps ?? JOB_DEFAULTS.steps);
  private readonly guidanceState = signal<number>(JOB_DEFAULTS.guidanceScale);
  private readonly modelsState = signal<ModelView[]>([]);
  private readonly modelIdState = signal<string | null>(null);
  private readonly presetState = signal<RenderPreset | null>(null);
  private readonly modelsErrorState = signal<string | null>(null);
  private readonly imageState = signal<ImageState | null>(null);
  private readonly quoteState = signal<{ key: string; credits: number } | null>(null);
  private readonly quoteErrorState = signal<string | null>(null);
  private readonly submittingState = signal(false);
  private readonly serverErrors = signal<Partial<Record<CreateField, string>>>({});
  private readonly formErrorState = signal<ApiError | null>(null);
  private idempotency: { body: string; key: string } | null = null;

  readonly prompt = this.promptState.asReadonly();
  readonly negativePrompt = this.negativePromptState.asReadonly();
  readonly orientation = this.orientationState.asReadonly();
  readonly quality = this.qualityState.asReadonly();
  readonly durationSeconds = this.durationState.asReadonly();
  readonly seed = this.seedState.asReadonly();
  readonly keepSeed = this.keepSeedState.asReadonly();
  readonly steps = this.stepsState.asReadonly();
  readonly guidanceScale = this.guidanceState.asReadonly();
  readonly image = this.imageState.asReadonly();
  readonly submitting = this.submittingState.asReadonly();
  readonly formError = computed(() => this.formErrorState()?.detail ?? null);
  readonly insufficientCreditsError = computed(() => this.formErrorState()?.status === 402);
  readonly models = this.modelsState.asReadonly();
  readonly modelsError = this.modelsErrorState.asReadonly();
  /** The chosen model's catalog entry; null until the catalog has loaded (the API's default applies). */
  readonly model = computed<ModelView | null>(() => {
    const models = this.modelsState();
    return models.find((model) => model.id === this.modelIdState()) ?? null;
  });
  readonly preset = computed<RenderPreset | null>(() => {
    const model = this.model();
    const preset = this.presetState();
    if (!model) return preset;
    return preset && model.presets.includes(preset) ? preset : model.presets[0];
  });
  /** The controls' bounds: the chosen model's, else the API's own. */
  readonly limits = computed(() => {
    const model = this.model();
    if (!model) return JOB_LIMITS;
    return {
      ...JOB_LIMITS,
      durationSeconds: model.durationSeconds,
      steps: model.steps,
      guidanceScale: model.guidanceScale,
    };
  });
  /** Which qualities the model renders (its resolutions). */
  readonly qualityAllowed = computed<Record<Quality, boolean>>(() => {
    const model = this.model();
    const allowed = (quality: Quality) =>
      !model || Object.values(RESOLUTION_BY[quality]).some((size) => model.resolutions.includes(size));
    return { hd: allowed('hd'), draft: allowed('draft') };
  });

  readonly resolution = computed(() => RESOLUTION_BY[this.qualityState()][this.orientationState()]);
  private readonly quoteKey = computed(
    () => `${this.resolution()}/${this.durationState()}/${this.model()?.id ?? ''}/${this.preset() ?? ''}`,
  );
  /** The price for the current settings; null while it is being worked out. */
  readonly price = computed(() => {
    const quote = this.quoteState();
    return quote && quote.key === this.quoteKey() ? quote.credits : null;
  });
  readonly quoteError = this.quoteErrorState.asReadonly();
  readonly available = this.credits.available;

  /** Problems found before anything is sent, by field. */
  private readonly clientErrors = computed(() => {
    const errors: Partial<Record<CreateField, string>> = {};
    const prompt = PromptSchema.safeParse(this.promptState());
    if (!prompt.success && this.promptState().length > 0) errors.prompt = prompt.error.issues[0].message;
    const negative = NegativePromptSchema.safeParse(this.negativePromptState());
    if (!negative.success) errors.negativePrompt = negative.error.issues[0].message;
    const { seed, steps, guidanceScale, durationSeconds } = this.limits();
    if (!inRange(this.seedState(), seed, true))
      errors.seed = `Seed must be a whole number from ${seed.min} to ${seed.max}.`;
    if (!inRange(this.stepsState(), steps, true))
      errors.steps = `Steps must be a whole number from ${steps.min} to ${steps.max}.`;
    if (!inRange(this.guidanceState(), guidanceScale, false))
      errors.guidanceScale = `Guidance must be between ${guidanceScale.min} and ${guidanceScale.max}.`;
    if (!inRange(this.durationState(), durationSeconds, true))
      errors.durationSeconds = `Duration must be ${durationSeconds.min} to ${durationSeconds.max} seconds.`;
    return errors;
  });

  /** Client checks first, then what the API said about the last attempt. */
  readonly fieldErrors = computed(() => ({ ...this.serverErrors(), ...this.clientErrors() }));

  /** Why the create button is disabled, in words; null when it may be pressed. */
  readonly blockedReason = computed<string | null>(() => {
    if (this.submittingState()) return 'Creating your video…';
    if (this.promptState().trim().length === 0) return 'Describe the video you want in the prompt.';
    if (Object.keys(this.clientErrors()).length > 0) return 'Fix the highlighted fields first.';
    const image = this.imageState();
    if (image?.uploading) return 'Wait for the image to finish uploading.';
    if (image && !image.upload) return 'The image did not upload: remove it or choose another.';
    const price = this.price();
    if (price === null)
      return this.quoteErrorState() ? 'The price could not be worked out.' : 'Working out the price…';
    const available = this.available();
    if (available === null) return 'Loading your credits…';
    if (price > available) {
      return `Not enough credits: this video costs ${formatCredits(price)} and you have ${formatCredits(available)} available.`;
    }
    return null;
  });

  readonly request = computed<CreateJobRequest>(() => {
    const negativePrompt = this.negativePromptState().trim();
    const upload = this.imageState()?.upload;
    return {
      prompt: this.promptState().trim(),
      ...(negativePrompt ? { negativePrompt } : {}),
      ...(upload ? { imageUploadId: upload.id } : {}),
      resolution: this.resolution(),
      durationSeconds: this.durationState(),
      seed: this.seedState(),
      steps: this.stepsState(),
      guidanceScale: this.guidanceState(),
      ...(this.model() ? { model: this.model()!.id } : {}),
      ...(this.preset() ? { preset: this.preset()! } : {}),
    };
  });

  constructor() {
    const destroyRef = inject(DestroyRef);
    // Re-quote whenever size or length changes; a short pause keeps a dragged slider from flooding the API.
    effect((onCleanup) => {
      const resolution = this.resolution();
      const duration = this.durationState();
      const key = this.quoteKey();
      const model = this.model();
      const preset = this.preset();
      if (!inRange(duration, this.limits().durationSeconds, true)) return;
      const choice = { ...(model ? { model: model.id } : {}), ...(preset ? { preset } : {}) };
      const abort = new AbortController();
      const timer = setTimeout(
        () => void this.fetchQuote(resolution, duration, key, abort.signal, choice),
        200,
      );
      onCleanup(() => {
        clearTimeout(timer);
        abort.abort();
      });
    });
    void this.loadModels();
    destroyRef.onDestroy(() => {
      const image = this.imageState();
      if (image?.previewUrl) URL.revokeObjectURL(image.previewUrl);
    });
  }

  setPrompt(value: string): void {
    this.promptState.set(value);
    this.clearServerError('prompt');
  }
  setNegativePrompt(value: string): void {
    this.negativePromptState.set(value);
    this.clearServerError('negativePrompt');
  }
  setOrientation(value: Orientation): void {
    this.orientationState.set(value);
    this.clearServerError('resolution');
  }
  setQuality(value: Quality): void {
    this.qualityState.set(value);
    this.clearServerError('resolution');
  }
  setDuration(value: number): void {
    this.durationState.set(value);
    this.clearServerError('durationSeconds');
  }
  setSeed(value: number): void {
    this.seedState.set(value);
    this.clearServerError('seed');
  }
  rollSeed(): void {
    this.setSeed(randomSeed());
  }
  setKeepSeed(value: boolean): void {
    this.keepSeedState.set(value);
  }
  setSteps(value: number): void {
    this.stepsState.set(value);
    this.clearServerError('steps');
  }
  /** Picks a model: every control is brought inside its limits (a distilled model's steps are its own). */
  setModel(id: string): void {
    const model = this.modelsState().find((entry) => entry.id === id);
    if (!model) return;
    this.modelIdState.set(id);
    this.fitToModel(model);
    this.clearServerError('model');
  }
  setPreset(value: RenderPreset): void {
    this.presetState.set(value);
    this.clearServerError('preset');
  }
  setGuidance(value: number): void {
    this.guidanceState.set(value);
    this.clearServerError('guidanceScale');
  }

  /** Fills the form from an earlier job ("copy settings to a new job"). */
  copyFrom(job: JobView): void {
    this.promptState.set(job.prompt);
    this.negativePromptState.set(job.negativePrompt ?? '');
    const [width, height] = job.resolution.split('x').map(Number);
    this.orientationState.set(width >= height ? 'landscape' : 'portrait');
    this.qualityState.set(Math.max(width, height) >= 1280 ? 'hd' : 'draft');
    this.durationState.set(job.durationSeconds);
    if (job.seed !== null && job.seed !== undefined) {
      this.seedState.set(job.seed);
      this.keepSeedState.set(true);
    }
    this.stepsState.set(job.steps);
    this.guidanceState.set(job.guidanceScale);
    this.modelIdState.set(job.model);
    this.presetState.set(job.preset ?? null);
    // Image-to-video stays image-to-video: the earlier upload is reused (the API refuses it if gone).
    this.removeImage();
    if (job.imageUploadId) {
      this.imageState.set({
        file: null,
        name: 'Image from the earlier video',
        previewUrl: null,
        upload: { id: job.imageUploadId, width: 0, height: 0, sha256: job.imageSha256 ?? '' },
        uploading: false,
      });
    }
  }

  async chooseImage(file: File): Promise<void> {
    this.removeImage();
    const problem = checkImageFile(file);
    if (problem) {
      this.serverErrors.update((errors) => ({ ...errors, image: problem }));
      return;
    }
    const size = await readImageSize(file);
    const sizeProblem = size ? checkImageSize(size.width, size.height) : null;
    if (sizeProblem) {
      this.serverErrors.update((errors) => ({ ...errors, image: sizeProblem }));
      return;
    }
    const state: ImageState = {
      file,
      name: file.name,
      previewUrl: URL.createObjectURL(file),
      upload: null,
      uploading: true,
    };
    this.imageState.set(state);
    this.clearServerError('image');
    try {
      const upload = await this.api.upload(file);
      if (this.imageState()?.file === file) this.imageState.set({ ...state, upload, uploading: false });
    } catch (error) {
      if (this.imageState()?.file !== file) return;
      this.imageState.set({ ...state, uploading: false });
      const messages = error instanceof ApiError ? error.fieldMessages() : {};
      this.serverErrors.update((errors) => ({
        ...errors,
        image: messages['file'] ?? messages['image'] ?? errorMessage(error),
      }));
    }
  }

  removeImage(): void {
    const image = this.imageState();
    if (image?.previewUrl) URL.revokeObjectURL(image.previewUrl);
    this.imageState.set(null);
    this.clearServerError('image');
  }

  /** Submits the job; resolves with it, or null when the API refused (errors are then on the form). */
  async submit(): Promise<JobView | null> {
    if (this.blockedReason()) return null;
    const request = this.request();
    const body = JSON.stringify(request);
    // The same key for a retry of the same body, so a double click or a lost response never makes two jobs.
    if (this.idempotency?.body !== body) this.idempotency = { body, key: crypto.randomUUID() };
    this.submittingState.set(true);
    this.formErrorState.set(null);
    this.serverErrors.set({});
    try {
      const job = await this.api.createJob(request, this.idempotency.key);
      this.idempotency = null;
      if (!this.keepSeedState()) this.seedState.set(randomSeed());
      void this.credits.refresh();
      return job;
    } catch (error) {
      const apiError = error instanceof ApiError ? error : new ApiError(0, null, errorMessage(error));
      const byField: Partial<Record<CreateField, string>> = {};
      for (const [path, message] of Object.entries(apiError.fieldMessages())) {
        const field = FIELD_OF[path.split('.')[0]];
        if (field) byField[field] ??= message;
      }
      this.serverErrors.set(byField);
      this.formErrorState.set(apiError);
      if (apiError.status === 402) void this.credits.refresh();
      return null;
    } finally {
      this.submittingState.set(false);
    }
  }

  private async loadModels(): Promise<void> {
    try {
      const models = await this.api.models();
      this.modelsState.set(models);
      // A copied job's model stays chosen when the catalog still has it.
      const chosen =
        models.find((model) => model.id === this.modelIdState()) ?? models.find((model) => model.default);
      if (chosen) {
        this.modelIdState.set(chosen.id);
        this.fitToModel(chosen);
      }
    } catch (error) {
      // The form still works with the API's default model; say why there is no choice.
      this.modelsErrorState.set(`The models could not be loaded: ${errorMessage(error)}`);
    }
  }

  /** Brings the form's values inside a model's limits, keeping what already fits. */
  private fitToModel(model: ModelView): void {
    const allowed = this.qualityAllowed();
    if (!allowed[this.qualityState()]) this.qualityState.set(allowed.draft ? 'draft' : 'hd');
    const clamp = (value: number, range: { min: number; max: number }, fallback: number) =>
      value >= range.min && value <= range.max ? value : fallback;
    this.durationState.set(
      clamp(this.durationState(), model.durationSeconds, model.defaults.durationSeconds),
    );
    this.stepsState.set(clamp(this.stepsState(), model.steps, model.defaults.steps));
    this.guidanceState.set(clamp(this.guidanceState(), model.guidanceScale, model.defaults.guidanceScale));
  }

  private async fetchQuote(
    resolution: Resolution,
    duration: number,
    key: string,
    signal: AbortSignal,
    choice: { model?: string; preset?: RenderPreset },
  ): Promise<void> {
    try {
      const { credits } = await this.api.quote(resolution, duration, signal, choice);
      this.quoteState.set({ key, credits });
      this.quoteErrorState.set(null);
    } catch (error) {
      if (signal.aborted) return;
      this.quoteErrorState.set(errorMessage(error));
    }
  }

  private clearServerError(field: CreateField): void {
    if (this.serverErrors()[field]) {
      this.serverErrors.update((errors) => {
        const next = { ...errors };
        delete next[field];
        return next;
      });
    }
    if (this.formErrorState()) this.formErrorState.set(null);
  }
}

function inRange(value: number, { min, max }: { min: number; max: number }, integer: boolean): boolean {
  return Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
}
