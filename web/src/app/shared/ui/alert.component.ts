import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

export type AlertTone = 'error' | 'info' | 'success' | 'warning';

const TONES: Record<AlertTone, string> = {
  error: 'border-rose-400/40 bg-rose-500/10 text-rose-100',
  warning: 'border-amber-400/40 bg-amber-400/10 text-amber-100',
  info: 'border-sky-400/30 bg-sky-400/10 text-sky-100',
  success: 'border-emerald-400/30 bg-emerald-400/10 text-emerald-100',
};

@Component({
  selector: 'cw-alert',
  // A block, so the spacing utilities of the form or card around it apply (an inline host takes no margin).
  host: { class: 'block' },
  template: `
    <div
      class="flex items-start gap-3 rounded-xl border px-4 py-3 text-sm"
      [class]="toneClass()"
      [attr.role]="role()"
    >
      <span aria-hidden="true" class="mt-0.5">{{ icon() }}</span>
      <div class="min-w-0 flex-1">
        @if (heading()) {
          <p class="font-semibold">{{ heading() }}</p>
        }
        <p class="break-words">{{ message() }}</p>
        <ng-content />
      </div>
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AlertComponent {
  readonly message = input.required<string>();
  readonly heading = input<string>('');
  readonly tone = input<AlertTone>('error');
  protected readonly toneClass = computed(() => TONES[this.tone()]);
  protected readonly role = computed(() => (this.tone() === 'error' ? 'alert' : 'status'));
  protected readonly icon = computed(
    () => ({ error: '⚠', warning: '⚠', info: 'ℹ', success: '✓' })[this.tone()],
  );
}
