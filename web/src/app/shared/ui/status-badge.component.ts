import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { JobStatus } from '@cineweave/contracts';
import { STATUS_LABELS } from '../../core/format/format';

const TONES: Record<JobStatus, string> = {
  queued: 'bg-sky-400/10 text-sky-200 ring-sky-400/30',
  running: 'bg-violet-400/15 text-violet-200 ring-violet-400/40',
  succeeded: 'bg-emerald-400/10 text-emerald-200 ring-emerald-400/30',
  failed: 'bg-rose-500/10 text-rose-200 ring-rose-400/40',
  cancelled: 'bg-zinc-400/10 text-zinc-300 ring-zinc-400/30',
  expired: 'bg-amber-400/10 text-amber-200 ring-amber-400/30',
};

@Component({
  selector: 'cw-status-badge',
  template: `
    <span
      class="inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset"
      [class]="tone()"
    >
      <span class="size-1.5 rounded-full bg-current" [class.animate-pulse]="live()" aria-hidden="true"></span>
      {{ label() }}
    </span>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class StatusBadgeComponent {
  readonly status = input.required<JobStatus>();
  protected readonly label = computed(() => STATUS_LABELS[this.status()]);
  protected readonly tone = computed(() => TONES[this.status()]);
  protected readonly live = computed(() => this.status() === 'queued' || this.status() === 'running');
}
