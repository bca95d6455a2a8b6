import { Injectable, computed, inject, signal } from '@angular/core';
import type { JobStatus, JobView } from '@cineweave/contracts';
import { errorMessage } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';

/** The history gallery: cursor pages appended as the person scrolls, filtered by status. */
@Injectable()
export class JobsListStore {
  private readonly api = inject(CineweaveApi);
  private readonly itemsState = signal<JobView[]>([]);
  private readonly cursorState = signal<string | null>(null);
  private readonly doneState = signal(false);
  private readonly loadingState = signal(false);
  private readonly errorState = signal<string | null>(null);
  private readonly statusState = signal<JobStatus | null>(null);
  private generation = 0;

  readonly items = this.itemsState.asReadonly();
  readonly loading = this.loadingState.asReadonly();
  readonly error = this.errorState.asReadonly();
  readonly status = this.statusState.asReadonly();
  readonly hasMore = computed(() => !this.doneState());
  readonly initialLoading = computed(() => this.loadingState() && this.itemsState().length === 0);
  readonly empty = computed(() => this.doneState() && this.itemsState().length === 0 && !this.errorState());

  /** Starts over with another status filter (null = all). */
  async filter(status: JobStatus | null): Promise<void> {
    this.statusState.set(status);
    this.itemsState.set([]);
    this.cursorState.set(null);
    this.doneState.set(false);
    this.errorState.set(null);
    this.loadingState.set(false);
    this.generation++;
    await this.loadMore();
  }

  async loadMore(): Promise<void> {
    if (this.loadingState() || this.doneState()) return;
    const generation = this.generation;
    this.loadingState.set(true);
    this.errorState.set(null);
    try {
      const page = await this.api.jobs({ status: this.statusState(), cursor: this.cursorState() });
      // A filter change while this page was in flight makes it stale.
      if (generation !== this.generation) return;
      const seen = new Set(this.itemsState().map((job) => job.id));
      this.itemsState.update((items) => [...items, ...page.items.filter((job) => !seen.has(job.id))]);
      this.cursorState.set(page.nextCursor);
      this.doneState.set(!page.nextCursor);
    } catch (error) {
      if (generation === this.generation) this.errorState.set(errorMessage(error));
    } finally {
      if (generation === this.generation) this.loadingState.set(false);
    }
  }
}
