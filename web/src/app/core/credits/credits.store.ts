import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import type { CreditsSummary } from '@cineweave/contracts';
import { errorMessage } from '../api/api-error';
import { CineweaveApi } from '../api/cineweave-api';

/**
 * How often a visible portal re-reads the balance, so credits an admin grants (or a payment
 * settles) show up unasked within a few seconds. The API has no credits event stream; one small
 * GET per open tab every few seconds is cheap, and hidden tabs do not poll at all.
 */
export const CREDITS_POLL_MS = 4_000;

/** The signed-in account's credits, shared by the header, dashboard, create and account pages. */
@Injectable({ providedIn: 'root' })
export class CreditsStore {
  private readonly api = inject(CineweaveApi);
  private readonly summaryState = signal<CreditsSummary | null>(null);
  private readonly loadingState = signal(false);
  private readonly errorState = signal<string | null>(null);
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Reads started so far; only the latest one's answer is kept, whatever order they land in. */
  private reads = 0;
  private pending = 0;
  /** Coming back to the tab (or the window) re-reads at once instead of waiting for the next tick. */
  private readonly onReturn = (): void => this.poll();

  readonly summary = this.summaryState.asReadonly();
  readonly loading = this.loadingState.asReadonly();
  readonly error = this.errorState.asReadonly();
  readonly available = computed(() => this.summaryState()?.available ?? null);
  readonly loaded = computed(() => this.summaryState() !== null);

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stopPolling());
  }

  /** Re-reads the balance (after anything that moved credits, or on a timer). */
  async refresh(): Promise<void> {
    const read = ++this.reads;
    this.pending++;
    this.loadingState.set(true);
    try {
      const summary = await this.api.credits();
      if (read === this.reads) {
        this.summaryState.set(summary);
        this.errorState.set(null);
      }
    } catch (error) {
      if (read === this.reads) this.errorState.set(errorMessage(error));
    } finally {
      this.loadingState.set(--this.pending > 0);
    }
  }

  startPolling(): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => this.poll(), CREDITS_POLL_MS);
    document.addEventListener('visibilitychange', this.onReturn);
    window.addEventListener('focus', this.onReturn);
  }

  stopPolling(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    document.removeEventListener('visibilitychange', this.onReturn);
    window.removeEventListener('focus', this.onReturn);
  }

  clear(): void {
    this.stopPolling();
    // A read still on its way belongs to the session that just ended.
    this.reads++;
    this.summaryState.set(null);
  }

  /** A read nobody waits for: only for a visible tab, and not on top of one already on its way. */
  private poll(): void {
    if (document.visibilityState === 'visible' && this.pending === 0) void this.refresh();
  }
}
