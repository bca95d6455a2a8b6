import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { ApiError } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { CreditsStore } from '../core/credits/credits.store';
import { DEFAULT_MODEL_CATALOG, type ModelView } from '@cineweave/contracts';
import { text } from '../testing/fake-api';
import { CreatePage } from './create.page';

/** `GET /v1/models` of a local stack: the tiny test model is the default and has a ready worker. */
const LOCAL_MODELS: ModelView[] = DEFAULT_MODEL_CATALOG.map((entry) => ({
  ...entry,
  available: entry.id === 'wan2.2-tiny-test',
  readyWorkers: entry.id === 'wan2.2-tiny-test' ? 1 : 0,
  workerLimits: null,
  default: entry.id === 'wan2.2-tiny-test',
}));

async function setup({
  available = 1000,
  createJob = vi.fn(async () => ({ id: 'job-9' })),
  models = undefined as undefined | (() => Promise<ModelView[]>),
} = {}) {
  TestBed.configureTestingModule({
    providers: [
      provideRouter([]),
      {
        provide: CineweaveApi,
        useValue: {
          quote: async (_r: string, duration: number) => ({ credits: duration * 10 }),
          createJob,
          ...(models ? { models } : {}),
        },
      },
      { provide: CreditsStore, useValue: { available: signal(available), refresh: async () => undefined } },
    ],
  });
  const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
  const fixture = TestBed.createComponent(CreatePage);
  const element = fixture.nativeElement as HTMLElement;
  const settle = async () => {
    await fixture.whenStable();
    await new Promise((resolve) => setTimeout(resolve, 250));
    await fixture.whenStable();
  };
  const typePrompt = async (value: string) => {
    const prompt = element.querySelector<HTMLTextAreaElement>('#prompt')!;
    prompt.value = value;
    prompt.dispatchEvent(new Event('input'));
    await settle();
  };
  const submitButton = () => element.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  await settle();
  return { fixture, element, typePrompt, submitButton, settle, navigate, createJob };
}

describe(CreatePage.name, () => {
  it('should name the test model, say its videos are noise and link the guide to real weights', async () => {
    const { element } = await setup({ models: async () => LOCAL_MODELS });

    const select = element.querySelector<HTMLSelectElement>('[data-testid="model-select"]')!;
    expect(select.value).toBe('wan2.2-tiny-test');
    expect([...select.options].map((option) => text(option))).toEqual([
      'Wan 2.2 TI2V-5B (no worker ready)',
      'FastWan 2.2 TI2V-5B (3 steps) (no worker ready)',
      'Wan 2.2 tiny test model (random weights)',
    ]);
    const notice = text(element.querySelector('[data-testid="test-model-notice"]'));
    expect(notice).toContain('Test model: videos are noise');
    expect(
      element.querySelector<HTMLAnchorElement>('[data-testid="real-weights-link"]')!.getAttribute('href'),
    ).toBe('/guide/deployment.md');
    // HD is beyond the tiny model: its option is disabled.
    expect(element.querySelector<HTMLInputElement>('input[name="quality"][value="hd"]')!.disabled).toBe(true);
    expect(text(element.querySelector('[data-testid="model-facts"]'))).toContain('text or image to video');
  });

  it('should show no notice and fix the steps when a distilled model is picked', async () => {
    const { element, fixture, settle } = await setup({ models: async () => LOCAL_MODELS });
    const select = element.querySelector<HTMLSelectElement>('[data-testid="model-select"]')!;
    select.value = 'fastwan2.2-ti2v-5b';
    select.dispatchEvent(new Event('change'));
    fixture.detectChanges();
    await settle();

    expect(element.querySelector('[data-testid="test-model-notice"]')).toBeNull();
    expect(element.querySelector<HTMLInputElement>('#steps')!.disabled).toBe(true);
    expect(text(element.querySelector('[data-testid="summary-model"]'))).toBe('fastwan2.2-ti2v-5b');
    expect(element.querySelector<HTMLInputElement>('input[name="preset"][value="fast"]')!.checked).toBe(true);
  });

  it('should show the quoted price before anything is submitted', async () => {
    const { element } = await setup();

    expect(text(element.querySelector('[data-testid="price"]'))).toBe('50 credits');
  });

  it('should disable submit and say why when credits are short', async () => {
    const { element, typePrompt, submitButton } = await setup({ available: 30 });

    await typePrompt('a fox in the snow');

    expect(submitButton().disabled).toBe(true);
    expect(text(element.querySelector('[data-testid="blocked-reason"]'))).toBe(
      'Not enough credits: this video costs 50 credits and you have 30 credits available.',
    );
    expect(element.querySelector('a[href="/account"]')).not.toBeNull();
  });

  it('should create the job and open its page when the form is submitted', async () => {
    const { element, typePrompt, submitButton, navigate, createJob, settle } = await setup();
    await typePrompt('a fox in the snow');
    expect(submitButton().disabled).toBe(false);

    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();

    expect(createJob).toHaveBeenCalledTimes(1);
    expect(navigate).toHaveBeenCalledWith(['/jobs', 'job-9']);
  });

  it('should show the API message next to the prompt when the API refuses it', async () => {
    const problem = {
      type: 't',
      title: 'The request is not valid',
      status: 400,
      detail: 'The request is not valid',
      code: 'VALIDATION_FAILED' as const,
      errors: [{ field: 'prompt', message: 'prompt mentions a blocked term' }],
    };
    const { element, typePrompt, settle } = await setup({
      createJob: vi.fn(async () => {
        throw new ApiError(400, problem, problem.detail);
      }),
    });
    await typePrompt('something');

    element.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await settle();

    expect(text(element.querySelector('#prompt-error'))).toBe('prompt mentions a blocked term');
    expect(element.querySelector('#prompt')?.getAttribute('aria-invalid')).toBe('true');
  });

  it('should re-quote when the duration slider moves', async () => {
    const { element, settle } = await setup();
    const slider = element.querySelector<HTMLInputElement>('#duration')!;
    slider.value = '9';
    slider.dispatchEvent(new Event('input'));
    await settle();

    expect(text(element.querySelector('[data-testid="price"]'))).toBe('90 credits');
  });
});
