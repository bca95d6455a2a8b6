import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { errorMessage } from '../api/api-error';
import type { CreditsSummary } from '../api/api-types';
import { CineweaveApi } from '../api/cineweave-api';

/** How often a visible portal re-reads the balance, so credits an admin grants show up unasked. */
export const CREDITS_POLL_MS = 10_000;

/** The signed-in account's credits, shared by the header, dashboard, create and account pages. */
@Injectable({ providedIn: 'root' })
export class CreditsStore {
  private readonly api = inject(CineweaveApi);
  private readonly summaryState = signal<CreditsSummary | null>(null);
  private readonly loadingState = signal(false);
  private readonly errorState = signal<string | null>(null);
  private timer: ReturnType<typeof setInterval> | null = null;

  readonly summary = this.summaryState.asReadonly();
  readonly loading = this.loadingState.asReadonly();
  readonly error = this.errorState.asReadonly();
  readonly available = computed(() => this.summaryState()?.available ?? null);
  readonly loaded = computed(() => this.summaryState() !== null);

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stopPolling());
  }

  async refresh(): Promise<void> {
    this.loadingState.set(true);
    try {
      this.summaryState.set(await this.api.credits());
      this.errorState.set(null);
    } catch (error) {
      this.errorState.set(errorMessage(error));
    } finally {
      this.loadingState.set(false);
    }
  }

  startPolling(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => {
      if (document.visibilityState === 'visible') void this.refresh();
    }, CREDITS_POLL_MS);
  }

  stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  clear(): void {
    this.stopPolling();
    this.summaryState.set(null);
  }
}
