import { Injectable, computed, inject, signal } from '@angular/core';
import type { ListedPlan } from '@cineweave/contracts';
import { errorMessage } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';

/** The public price list (`GET /v1/plans`), cheapest first. */
@Injectable({ providedIn: 'root' })
export class PlansStore {
  private readonly api = inject(CineweaveApi);
  private readonly plansState = signal<ListedPlan[] | null>(null);
  private readonly loadingState = signal(false);
  private readonly errorState = signal<string | null>(null);

  readonly loading = this.loadingState.asReadonly();
  readonly error = this.errorState.asReadonly();
  readonly loaded = computed(() => this.plansState() !== null);
  readonly plans = computed(() =>
    [...(this.plansState() ?? [])].sort(
      (a, b) => (a.priceMinor ?? Number.MAX_SAFE_INTEGER) - (b.priceMinor ?? Number.MAX_SAFE_INTEGER),
    ),
  );
  /** The plan to highlight: the first paid plan with a price. */
  readonly featuredId = computed(() => this.plans().find((plan) => (plan.priceMinor ?? 0) > 0)?.id ?? null);

  async load(): Promise<void> {
    if (this.loadingState()) return;
    this.loadingState.set(true);
    this.errorState.set(null);
    try {
      this.plansState.set(await this.api.plans());
    } catch (error) {
      this.errorState.set(errorMessage(error));
    } finally {
      this.loadingState.set(false);
    }
  }
}
