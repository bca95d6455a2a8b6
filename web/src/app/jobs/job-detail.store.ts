import { DestroyRef, Injectable, computed, effect, inject, signal } from '@angular/core';
import { isActiveStatus } from '@cineweave/contracts';
import type { Subscription } from 'rxjs';
import { errorMessage } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { MediaUrls } from '../core/api/media-urls';
import { CreditsStore } from '../core/credits/credits.store';
import { JobEventStream } from '../core/events/job-event-stream';
import { applyJobEvent, type LiveJob } from './job-events.reducer';

/** One job, kept live over its event stream until it finishes. */
@Injectable()
export class JobDetailStore {
  private readonly api = inject(CineweaveApi);
  private readonly events = inject(JobEventStream);
  private readonly credits = inject(CreditsStore);
  private readonly jobState = signal<LiveJob | null>(null);
  private readonly loadingState = signal(false);
  private readonly errorState = signal<string | null>(null);
  private readonly notFoundState = signal(false);
  private readonly cancellingState = signal(false);
  private readonly actionErrorState = signal<string | null>(null);
  private readonly streamErrorState = signal<string | null>(null);
  private subscription: Subscription | null = null;

  readonly job = this.jobState.asReadonly();
  readonly loading = this.loadingState.asReadonly();
  readonly error = this.errorState.asReadonly();
  readonly notFound = this.notFoundState.asReadonly();
  readonly cancelling = this.cancellingState.asReadonly();
  readonly actionError = this.actionErrorState.asReadonly();
  readonly streamError = this.streamErrorState.asReadonly();
  readonly active = computed(() => {
    const job = this.jobState();
    return job ? isActiveStatus(job.status) : false;
  });
  private readonly media = inject(MediaUrls);
  private readonly videoState = signal<string | null>(null);
  private readonly thumbnailState = signal<string | null>(null);
  private readonly downloadState = signal<string | null>(null);
  private readonly mediaResolved = signal(false);
  /** Playable addresses of the output, once the API has handed out presigned links. */
  readonly videoUrl = this.videoState.asReadonly();
  readonly thumbnailUrl = this.thumbnailState.asReadonly();
  /**
   * The video as a save-as link: the store is another origin than the portal, where browsers
   * ignore `<a download>`, so the API presigns this one with Content-Disposition: attachment.
   */
  readonly downloadUrl = this.downloadState.asReadonly();
  /** True when the job succeeded but its video could not be reached (expired or blocked). */
  readonly videoUnavailable = computed(
    () => this.mediaResolved() && this.jobState()?.status === 'succeeded' && !this.videoState(),
  );
  private readonly videoLink = computed(() => this.jobState()?.videoUrl ?? null);
  private readonly thumbnailLink = computed(() => this.jobState()?.thumbnailUrl ?? null);

  constructor() {
    inject(DestroyRef).onDestroy(() => this.subscription?.unsubscribe());
    effect((onCleanup) => {
      const video = this.videoLink();
      const thumbnail = this.thumbnailLink();
      let current = true;
      onCleanup(() => (current = false));
      this.mediaResolved.set(false);
      void Promise.all([
        this.media.resolve(video),
        this.media.resolve(thumbnail),
        this.media.resolve(video && downloadLink(video)),
      ]).then(([videoUrl, thumbnailUrl, downloadUrl]) => {
        if (!current) return;
        this.videoState.set(videoUrl);
        this.thumbnailState.set(thumbnailUrl);
        this.downloadState.set(downloadUrl ?? videoUrl);
        this.mediaResolved.set(video !== null);
      });
    });
  }

  async load(id: string): Promise<void> {
    this.subscription?.unsubscribe();
    this.jobState.set(null);
    this.loadingState.set(true);
    this.errorState.set(null);
    this.notFoundState.set(false);
    try {
      const job = await this.api.job(id);
      this.jobState.set(job);
      if (isActiveStatus(job.status)) this.follow(id);
    } catch (error) {
      this.notFoundState.set((error as { status?: number }).status === 404);
      this.errorState.set(errorMessage(error));
    } finally {
      this.loadingState.set(false);
    }
  }

  async cancel(): Promise<void> {
    const job = this.jobState();
    if (!job || !this.active()) return;
    this.cancellingState.set(true);
    this.actionErrorState.set(null);
    try {
      const updated = await this.api.cancelJob(job.id);
      this.jobState.update((current) => (current ? { ...current, ...updated } : updated));
      void this.credits.refresh();
    } catch (error) {
      this.actionErrorState.set(errorMessage(error));
    } finally {
      this.cancellingState.set(false);
    }
  }

  private follow(id: string): void {
    this.subscription = this.events.watch(id).subscribe({
      next: (event) => {
        this.streamErrorState.set(null);
        this.jobState.update((job) => (job ? applyJobEvent(job, event) : job));
        if (event.type === 'completed' || event.type === 'failed') void this.credits.refresh();
      },
      error: (error: unknown) => this.streamErrorState.set(`Live updates stopped: ${errorMessage(error)}`),
      complete: () => void this.refreshJob(id),
    });
  }

  /** After the stream ends, read the job once more for fields events do not carry (times, final URLs). */
  private async refreshJob(id: string): Promise<void> {
    try {
      const job = await this.api.job(id);
      this.jobState.update((current) => ({
        ...current,
        ...job,
        videoUrl: job.videoUrl ?? current?.videoUrl ?? null,
        thumbnailUrl: job.thumbnailUrl ?? current?.thumbnailUrl ?? null,
      }));
    } catch {
      // The events already told the outcome; the extra details can wait for a reload.
    }
  }
}

/** The API's save-as variant of a video route; an address that is already a file stays as it is. */
function downloadLink(videoLink: string): string {
  return videoLink.startsWith('/')
    ? `${videoLink}${videoLink.includes('?') ? '&' : '?'}download=1`
    : videoLink;
}
