import { ChangeDetectionStrategy, Component, type OnDestroy, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@cineweave/contracts';
import { formatDateTime } from '../../core/format/format';
import { AlertComponent } from '../../shared/ui/alert.component';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { SpinnerComponent } from '../../shared/ui/spinner.component';
import { WebhooksStore } from './webhooks.store';

const EVENT_LABELS: Record<WebhookEventType, string> = {
  'job.queued': 'Job queued',
  'job.started': 'Job started',
  'job.progress': 'Job progress (every 10 %)',
  'job.succeeded': 'Job succeeded',
  'job.failed': 'Job failed',
  'job.cancelled': 'Job cancelled',
  'credits.low': 'Credits running low',
};

/** While a log is open, it is re-read this often so retries and outcomes appear on their own. */
const LOG_REFRESH_MS = 2_000;

@Component({
  selector: 'cw-webhooks-page',
  imports: [RouterLink, AlertComponent, EmptyStateComponent, SpinnerComponent],
  providers: [WebhooksStore],
  templateUrl: './webhooks.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class WebhooksPage implements OnDestroy {
  protected readonly store = inject(WebhooksStore);
  protected readonly eventTypes = WEBHOOK_EVENT_TYPES;
  protected readonly formatDateTime = formatDateTime;
  protected readonly url = signal('');
  protected readonly description = signal('');
  protected readonly chosen = signal<ReadonlySet<WebhookEventType>>(new Set(WEBHOOK_EVENT_TYPES));
  protected readonly copied = signal(false);
  protected readonly confirmDelete = signal<string | null>(null);
  private readonly timer = setInterval(() => void this.store.refreshDeliveries(), LOG_REFRESH_MS);

  constructor() {
    void this.store.load();
  }

  ngOnDestroy(): void {
    clearInterval(this.timer);
  }

  protected label(type: string): string {
    return EVENT_LABELS[type as WebhookEventType] ?? type;
  }

  protected toggle(type: WebhookEventType, on: boolean): void {
    this.chosen.update((set) => {
      const next = new Set(set);
      if (on) next.add(type);
      else next.delete(type);
      return next;
    });
  }

  protected async add(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const types = WEBHOOK_EVENT_TYPES.filter((type) => this.chosen().has(type));
    if (await this.store.create(this.url(), this.description(), types)) {
      this.url.set('');
      this.description.set('');
    }
  }

  protected async copy(secret: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(secret);
      this.copied.set(true);
      setTimeout(() => this.copied.set(false), 2000);
    } catch {
      // Clipboard refused (insecure origin): the secret is selectable on screen.
    }
  }

  protected async remove(id: string): Promise<void> {
    this.confirmDelete.set(null);
    const endpoint = this.store.endpoints().find((e) => e.id === id);
    if (endpoint) await this.store.remove(endpoint);
  }
}
