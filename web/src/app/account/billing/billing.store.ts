import { Injectable, computed, inject, signal } from '@angular/core';
import type { BillingCatalogue, CheckoutRequest, PaymentView } from '@cineweave/contracts';
import { errorMessage } from '../../core/api/api-error';
import { BillingApi, REDIRECT } from './billing-api';

/** The account page's billing card: what can be bought, buying it, and what was bought. */
@Injectable()
export class BillingStore {
  private readonly api = inject(BillingApi);
  private readonly redirect = inject(REDIRECT);

  private readonly catalogueState = signal<BillingCatalogue | null>(null);
  private readonly catalogueErrorState = signal<string | null>(null);
  private readonly paymentsState = signal<PaymentView[] | null>(null);
  private readonly paymentsErrorState = signal<string | null>(null);
  private readonly startingState = signal<string | null>(null);
  private readonly checkoutErrorState = signal<string | null>(null);

  readonly packs = computed(() => this.catalogueState()?.packs ?? []);
  readonly plans = computed(() => this.catalogueState()?.plans ?? []);
  readonly catalogueLoading = computed(() => this.catalogueState() === null && !this.catalogueErrorState());
  readonly catalogueError = this.catalogueErrorState.asReadonly();
  readonly payments = computed(() => this.paymentsState() ?? []);
  readonly paymentsLoading = computed(() => this.paymentsState() === null && !this.paymentsErrorState());
  readonly paymentsError = this.paymentsErrorState.asReadonly();
  /** The product whose checkout is being created (`pack-500`, `pro`), to disable its button. */
  readonly starting = this.startingState.asReadonly();
  readonly checkoutError = this.checkoutErrorState.asReadonly();

  async load(): Promise<void> {
    await Promise.all([this.loadCatalogue(), this.loadPayments()]);
  }

  async loadCatalogue(): Promise<void> {
    this.catalogueErrorState.set(null);
    try {
      this.catalogueState.set(await this.api.catalogue());
    } catch (error) {
      this.catalogueErrorState.set(errorMessage(error));
    }
  }

  async loadPayments(): Promise<void> {
    this.paymentsErrorState.set(null);
    try {
      this.paymentsState.set((await this.api.payments()).items);
    } catch (error) {
      this.paymentsErrorState.set(errorMessage(error));
    }
  }

  /** Creates the payment and leaves for TrueLayer's page; the amount is the API's, never ours. */
  async checkout(request: CheckoutRequest): Promise<void> {
    if (this.startingState()) return;
    this.startingState.set(request.packId ?? request.planId ?? null);
    this.checkoutErrorState.set(null);
    try {
      const { checkoutUrl } = await this.api.checkout(request);
      this.redirect(checkoutUrl);
    } catch (error) {
      this.checkoutErrorState.set(errorMessage(error));
      this.startingState.set(null);
    }
  }
}
