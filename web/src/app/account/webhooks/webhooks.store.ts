import { Injectable, computed, inject, signal } from '@angular/core';
import type {
  WebhookDeliveryView,
  WebhookEndpointView,
  WebhookEndpointWithSecret,
  WebhookEventType,
} from '@cineweave/contracts';
import { ApiError, errorMessage } from '../../core/api/api-error';
import { CineweaveApi } from '../../core/api/cineweave-api';

/**
 * The webhooks settings page: the account's endpoints, the secret of the one just created or
 * rotated (shown once), and the delivery log of the endpoint that is open.
 */
@Injectable()
export class WebhooksStore {
  private readonly api = inject(CineweaveApi);

  private readonly endpointsState = signal<WebhookEndpointView[] | null>(null);
  private readonly loadErrorState = signal<string | null>(null);
  private readonly actionErrorState = signal<string | null>(null);
  private readonly fieldErrorsState = signal<Record<string, string>>({});
  private readonly savingState = signal(false);
  private readonly revealedState = signal<WebhookEndpointWithSecret | null>(null);
  private readonly openState = signal<string | null>(null);
  private readonly deliveriesState = signal<WebhookDeliveryView[] | null>(null);
  private readonly busyState = signal<string | null>(null);

  readonly endpoints = computed(() => (this.endpointsState() ?? []).filter((e) => e.kind === 'endpoint'));
  readonly loading = computed(() => this.endpointsState() === null && !this.loadErrorState());
  readonly loadError = this.loadErrorState.asReadonly();
  readonly actionError = this.actionErrorState.asReadonly();
  readonly fieldErrors = this.fieldErrorsState.asReadonly();
  readonly saving = this.savingState.asReadonly();
  /** The endpoint whose secret is on screen: right after creation or rotation, never again. */
  readonly revealed = this.revealedState.asReadonly();
  readonly openId = this.openState.asReadonly();
  readonly deliveries = this.deliveriesState.asReadonly();
  /** The id of the endpoint or delivery an action is running on. */
  readonly busy = this.busyState.asReadonly();
  readonly disabledCount = computed(() => this.endpoints().filter((e) => !e.enabled).length);

  async load(): Promise<void> {
    this.loadErrorState.set(null);
    try {
      this.endpointsState.set(await this.api.webhooks());
    } catch (error) {
      this.loadErrorState.set(errorMessage(error));
    }
  }

  async create(url: string, description: string, eventTypes: WebhookEventType[]): Promise<boolean> {
    this.fieldErrorsState.set({});
    this.actionErrorState.set(null);
    if (eventTypes.length === 0) {
      this.fieldErrorsState.set({ eventTypes: 'Choose at least one event.' });
      return false;
    }
    this.savingState.set(true);
    try {
      const created = await this.api.createWebhook({ url: url.trim(), description, eventTypes });
      this.revealedState.set(created);
      const { secret: _secret, ...listed } = created;
      this.endpointsState.update((list) => [...(list ?? []), listed]);
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    } finally {
      this.savingState.set(false);
    }
  }

  dismissSecret(): void {
    this.revealedState.set(null);
  }

  async setEnabled(endpoint: WebhookEndpointView, enabled: boolean): Promise<void> {
    await this.act(endpoint.id, async () =>
      this.replace(await this.api.updateWebhook(endpoint.id, { enabled })),
    );
  }

  async rotate(endpoint: WebhookEndpointView): Promise<void> {
    await this.act(endpoint.id, async () => {
      const rotated = await this.api.rotateWebhookSecret(endpoint.id);
      this.revealedState.set(rotated);
      const { secret: _secret, ...listed } = rotated;
      this.replace(listed);
    });
  }

  async remove(endpoint: WebhookEndpointView): Promise<void> {
    await this.act(endpoint.id, async () => {
      await this.api.deleteWebhook(endpoint.id);
      this.endpointsState.update((list) => (list ?? []).filter((e) => e.id !== endpoint.id));
      if (this.openState() === endpoint.id) this.close();
    });
  }

  async sendTest(endpoint: WebhookEndpointView): Promise<void> {
    await this.act(endpoint.id, async () => {
      await this.api.testWebhook(endpoint.id);
      await this.open(endpoint.id);
    });
  }

  async open(id: string): Promise<void> {
    if (this.openState() !== id) this.deliveriesState.set(null);
    this.openState.set(id);
    await this.refreshDeliveries();
  }

  close(): void {
    this.openState.set(null);
    this.deliveriesState.set(null);
  }

  /** Re-reads the open log and the endpoints (a run of failures may have disabled one). */
  async refreshDeliveries(): Promise<void> {
    const id = this.openState();
    if (!id) return;
    try {
      const [page] = await Promise.all([this.api.webhookDeliveries(id), this.load()]);
      if (this.openState() === id) this.deliveriesState.set(page.items);
    } catch (error) {
      this.actionErrorState.set(errorMessage(error));
    }
  }

  async redeliver(delivery: WebhookDeliveryView): Promise<void> {
    await this.act(delivery.id, async () => {
      await this.api.redeliverWebhook(delivery.endpointId, delivery.id);
      await this.refreshDeliveries();
    });
  }

  private replace(endpoint: WebhookEndpointView): void {
    this.endpointsState.update((list) => (list ?? []).map((e) => (e.id === endpoint.id ? endpoint : e)));
  }

  private async act(id: string, action: () => Promise<void>): Promise<void> {
    this.busyState.set(id);
    this.actionErrorState.set(null);
    try {
      await action();
    } catch (error) {
      this.fail(error);
    } finally {
      this.busyState.set(null);
    }
  }

  private fail(error: unknown): void {
    if (error instanceof ApiError && error.fieldErrors.length > 0)
      this.fieldErrorsState.set(error.fieldMessages());
    this.actionErrorState.set(errorMessage(error));
  }
}
