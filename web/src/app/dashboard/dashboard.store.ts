import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { isActiveStatus, type JobView } from '@cineweave/contracts';
import type { Subscription } from 'rxjs';
import { errorMessage } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { CreditsStore } from '../core/credits/credits.store';
import { JobEventStream } from '../core/events/job-event-stream';
import { applyJobEvent } from '../jobs/job-events.reducer';

export const RECENT_JOBS = 6;

/** Recent jobs with live status for the ones still queued or rendering. */
@Injectable()
export class DashboardStore {
  private readonly api = inject(CineweaveApi);
  private readonly events = inject(JobEventStream);
  private readonly credits = inject(CreditsStore);
  private readonly jobsState = signal<JobView[] | null>(null);
  private readonly errorState = signal<string | null>(null);
  private readonly watching = new Map<string, Subscription>();

  readonly jobs = computed(() => this.jobsState() ?? []);
  readonly loading = computed(() => this.jobsState() === null && !this.errorState());
  readonly error = this.errorState.asReadonly();
  readonly activeCount = computed(() => this.jobs().filter((job) => isActiveStatus(job.status)).length);

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stopWatching());
  }

  async load(): Promise<void> {
    this.errorState.set(null);
    try {
      const page = await this.api.jobs({ limit: RECENT_JOBS });
      this.jobsState.set(page.items.slice(0, RECENT_JOBS));
      this.watchActive();
    } catch (error) {
      this.errorState.set(errorMessage(error));
    }
  }

  private watchActive(): void {
    for (const job of this.jobs()) {
      if (!isActiveStatus(job.status) || this.watching.has(job.id)) continue;
      const subscription = this.events.watch(job.id).subscribe({
        next: (event) => {
          this.jobsState.update(
            (jobs) => jobs?.map((item) => (item.id === job.id ? applyJobEvent(item, event) : item)) ?? null,
          );
          if (event.type === 'completed' || event.type === 'failed') void this.credits.refresh();
        },
        // A broken stream leaves the card at its last known state; the job page says more.
        error: () => this.watching.delete(job.id),
        complete: () => this.watching.delete(job.id),
      });
      this.watching.set(job.id, subscription);
    }
  }

  private stopWatching(): void {
    for (const subscription of this.watching.values()) subscription.unsubscribe();
    this.watching.clear();
  }
}
