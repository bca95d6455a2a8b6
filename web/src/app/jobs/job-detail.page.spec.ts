import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Subject } from 'rxjs';
import { CineweaveApi } from '../core/api/cineweave-api';
import { MediaUrls } from '../core/api/media-urls';
import { CreditsStore } from '../core/credits/credits.store';
import { type JobEvent, JobEventStream } from '../core/events/job-event-stream';
import { aJob, text } from '../testing/fake-api';
import { JobDetailPage } from './job-detail.page';
import type { LiveJob } from './job-events.reducer';

const ID = '6f1c1f9e-8f0a-4b8e-9d55-0a4a7c2b9e11';

async function setup(job: LiveJob, api: Partial<CineweaveApi> = {}) {
  const events = new Subject<JobEvent>();
  const watch = vi.fn(() => events);
  TestBed.configureTestingModule({
    providers: [
      provideRouter([]),
      {
        provide: CineweaveApi,
        useValue: { job: async () => job, ...api },
      },
      { provide: MediaUrls, useValue: { resolve: async (url: string | null | undefined) => url ?? null } },
      { provide: JobEventStream, useValue: { watch } },
      { provide: CreditsStore, useValue: { refresh: vi.fn(async () => undefined) } },
    ],
  });
  const fixture = TestBed.createComponent(JobDetailPage);
  fixture.componentRef.setInput('id', job.id);
  await fixture.whenStable();
  await fixture.whenStable();
  const element = fixture.nativeElement as HTMLElement;
  const push = async (event: JobEvent) => {
    events.next(event);
    await fixture.whenStable();
    // Media links resolve in a promise of their own.
    await new Promise((resolve) => setTimeout(resolve));
    await fixture.whenStable();
  };
  return { fixture, element, push, watch, events };
}

describe(JobDetailPage.name, () => {
  it('should show the queue position when the job is waiting', async () => {
    const { element, watch } = await setup({ ...aJob({ status: 'queued' }), queuePosition: 3 });

    expect(watch).toHaveBeenCalledWith(ID);
    expect(text(element.querySelector('[data-testid="queue-position"]'))).toBe('Number 3 in the queue');
  });

  it('should say why a queued job waits, and change it when the stream says workers came', async () => {
    const { element, push } = await setup({
      ...aJob({
        status: 'queued',
        queue: {
          position: 0,
          teamJobsAhead: 0,
          teamsAhead: 0,
          reason: 'ModelUnavailable',
          message: 'It is next; no worker of m is running.',
          etaSeconds: null,
        },
      }),
      queuePosition: 0,
    });
    expect(text(element.querySelector('[data-testid="queue-reason"]'))).toBe(
      'No worker serves this model yet',
    );
    expect(text(element.querySelector('[data-testid="queue-message"]'))).toBe(
      'It is next; no worker of m is running.',
    );

    await push({
      type: 'status',
      data: {
        jobId: ID,
        status: 'queued',
        queuePosition: 0,
        queueReason: 'ScalingUp',
        message: 'It is next; a worker of m is starting (loading the model).',
      },
    });
    expect(text(element.querySelector('[data-testid="queue-reason"]'))).toBe('A worker is starting');
    expect(text(element.querySelector('[data-testid="queue-message"]'))).toBe(
      'It is next; a worker of m is starting (loading the model).',
    );
  });

  it('should say how many jobs of how many other teams are ahead, and update it from the stream', async () => {
    const { element, push } = await setup({
      ...aJob({
        status: 'queued',
        queue: {
          position: 5,
          teamJobsAhead: 1,
          teamsAhead: 2,
          reason: 'WaitingForWorker',
          message: '5 jobs are ahead of it.',
          etaSeconds: 600,
        },
      }),
      queuePosition: 5,
    });
    expect(text(element.querySelector('[data-testid="queue-teams"]'))).toBe(
      "4 jobs of 2 other teams ahead, and 1 of your team's",
    );

    await push({
      type: 'status',
      data: {
        jobId: ID,
        status: 'queued',
        queuePosition: 1,
        queueReason: 'WaitingForWorker',
        queueTeamJobsAhead: 0,
        queueTeamsAhead: 1,
        message: '1 job is ahead of it.',
      },
    });
    expect(text(element.querySelector('[data-testid="queue-teams"]'))).toBe('1 job of 1 other team ahead');

    await push({
      type: 'status',
      data: {
        jobId: ID,
        status: 'queued',
        queuePosition: 0,
        queueReason: 'WaitingForWorker',
        message: 'Next.',
      },
    });
    expect(element.querySelector('[data-testid="queue-teams"]')).toBeNull();
  });

  it('should move the progress bar with step and ETA when progress events arrive', async () => {
    const { element, push } = await setup(aJob({ status: 'queued' }));

    await push({
      type: 'progress',
      data: { jobId: ID, step: 20, totalSteps: 50, percent: 40, etaSeconds: 75, queuePosition: null },
    });

    const bar = element.querySelector('[role="progressbar"]')!;
    expect(bar.getAttribute('aria-valuenow')).toBe('40');
    expect(text(element)).toContain('Step 20 of 50');
    expect(text(element.querySelector('[data-testid="eta"]'))).toBe('About 1 min 15 s left');
  });

  it('should name the stage after the last step instead of sitting at the last step', async () => {
    const { element, push } = await setup(aJob({ status: 'running' }));

    await push({
      type: 'progress',
      data: {
        jobId: ID,
        stage: 'denoise',
        step: 50,
        totalSteps: 50,
        percent: 70,
        etaSeconds: 30,
        queuePosition: null,
      },
    });
    expect(text(element.querySelector('[data-testid="stage"]'))).toBe('Denoising… · 70%');
    expect(text(element)).toContain('Step 50 of 50');

    for (const [stage, label] of [
      ['decode', 'Decoding…'],
      ['encode', 'Encoding…'],
      ['upload', 'Uploading…'],
    ] as const) {
      await push({
        type: 'progress',
        data: { jobId: ID, stage, step: 50, totalSteps: 50, percent: 90, etaSeconds: 8, queuePosition: null },
      });
      expect(text(element.querySelector('[data-testid="stage"]'))).toBe(`${label} · 90%`);
      expect(text(element)).toContain('All 50 steps done');
      expect(text(element.querySelector('[data-testid="eta"]'))).toBe('About 8 s left');
    }
  });

  it('should play the video with its poster and offer a download when the job completes', async () => {
    const { element, push } = await setup(aJob({ status: 'running' }));

    await push({
      type: 'completed',
      data: {
        jobId: ID,
        status: 'succeeded',
        creditsCharged: 50,
        videoUrl: 'https://s3.test/v.mp4',
        thumbnailUrl: 'https://s3.test/t.jpg',
      },
    });

    const video = element.querySelector<HTMLVideoElement>('[data-testid="video-player"]')!;
    expect(video.getAttribute('src')).toBe('https://s3.test/v.mp4');
    expect(video.getAttribute('poster')).toBe('https://s3.test/t.jpg');
    expect(element.querySelector('[data-testid="download"]')?.getAttribute('href')).toBe(
      'https://s3.test/v.mp4',
    );
  });

  it('should offer the save-as link of the API for Download when the video is an API route', async () => {
    const resolve = vi.fn(async (link: string | null | undefined) =>
      link ? `https://s3.test${link.replace(`/v1/jobs/${ID}`, '')}?sig=1` : null,
    );
    TestBed.overrideProvider(MediaUrls, { useValue: { resolve } });
    const { element, push } = await setup(aJob({ status: 'running' }));
    await push({
      type: 'completed',
      data: {
        jobId: ID,
        status: 'succeeded',
        creditsCharged: 50,
        videoUrl: `/v1/jobs/${ID}/video`,
        thumbnailUrl: `/v1/jobs/${ID}/thumbnail`,
      },
    });

    expect(resolve).toHaveBeenCalledWith(`/v1/jobs/${ID}/video?download=1`);
    const video = element.querySelector<HTMLVideoElement>('[data-testid="video-player"]')!;
    expect(video.getAttribute('src')).toBe('https://s3.test/video?sig=1');
    const link = element.querySelector<HTMLAnchorElement>('[data-testid="download"]')!;
    expect(link.getAttribute('href')).toBe('https://s3.test/video?download=1?sig=1');
    expect(link.getAttribute('download')).toBe('cineweave-6f1c1f9e.mp4');
  });

  it('should show the reason and released credits when the job fails', async () => {
    const { element, push } = await setup(aJob({ status: 'running' }));

    await push({
      type: 'failed',
      data: { jobId: ID, status: 'failed', reason: 'GPU out of memory', creditsReleased: 50 },
    });

    expect(text(element.querySelector('[data-testid="failure-reason"]'))).toBe('GPU out of memory');
    expect(text(element)).toContain('50 credits returned to your balance.');
    expect(element.querySelector('button.btn-danger')).toBeNull();
  });

  it('should cancel after confirmation when the job is queued', async () => {
    const cancelJob = vi.fn(async () => aJob({ status: 'cancelled' }));
    const { element, fixture } = await setup(aJob({ status: 'queued' }), { cancelJob });

    element.querySelector<HTMLButtonElement>('button.btn-danger')!.click();
    await fixture.whenStable();
    element.querySelector<HTMLButtonElement>('[aria-label="Confirm cancel"] button.btn-danger')!.click();
    await fixture.whenStable();
    await fixture.whenStable();

    expect(cancelJob).toHaveBeenCalledWith(ID);
    expect(text(element)).toContain('This render was cancelled');
  });

  it('should not open an event stream when the job is already finished', async () => {
    const { watch, element } = await setup(aJob({ status: 'succeeded', videoUrl: 'https://s3.test/v.mp4' }));

    expect(watch).not.toHaveBeenCalled();
    expect(element.querySelector('[data-testid="video-player"]')).not.toBeNull();
  });

  it('should show the Content Credentials panel with signer, created and model when the video is signed', async () => {
    const { element } = await setup(
      aJob({
        status: 'succeeded',
        finishedAt: '2026-12-07T04:01:00.000Z',
        contentCredentials: {
          manifestLabel: 'urn:c2pa:430b9a3b-1712-46c4-a35e-c5c429c8e330',
          signer: 'CineWeave test signer (untrusted)',
          issuer: 'CineWeave',
          created: '2026-12-07T04:00:00.000Z',
          generator: 'CineWeave 0.1.0',
          modelId: 'wan2.2-ti2v-5b',
          weightsHash: 'sha256:abc',
          jobId: ID,
          validation: 'valid',
          validationFailures: ['signingCredential.untrusted'],
        },
      }),
    );

    const panel = element.querySelector('[data-testid="content-credentials"]');
    expect(text(panel?.querySelector('h2'))).toBe('Content Credentials');
    expect(text(panel?.querySelector('[data-testid="credentials-signer"]'))).toBe(
      'CineWeave test signer (untrusted)',
    );
    expect(text(panel?.querySelector('[data-testid="credentials-model"]'))).toBe('wan2.2-ti2v-5b');
    expect(text(panel?.querySelector('[data-testid="credentials-created"]'))).toMatch(/7 Dec/);
    expect(text(panel?.querySelector('[data-testid="credentials-validation"]'))).toBe(
      'Verified, untrusted signer',
    );
  });

  it('should say a video has no Content Credentials when the worker delivered it unsigned', async () => {
    const { element } = await setup(
      aJob({ status: 'succeeded', finishedAt: '2026-12-07T04:01:00.000Z', contentCredentials: null }),
    );

    expect(text(element.querySelector('[data-testid="credentials-none"]'))).toContain(
      'without Content Credentials',
    );
  });

  it('should show no Content Credentials panel while the job renders', async () => {
    const { element } = await setup(aJob({ status: 'running' }));

    expect(element.querySelector('[data-testid="content-credentials"]')).toBeNull();
  });
});
