import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

@Component({
  selector: 'cw-progress-bar',
  host: { class: 'block' },
  template: `
    <div
      class="h-2.5 w-full overflow-hidden rounded-full bg-white/8"
      role="progressbar"
      [attr.aria-label]="label()"
      aria-valuemin="0"
      aria-valuemax="100"
      [attr.aria-valuenow]="indeterminate() ? null : clamped()"
      [attr.aria-valuetext]="valueText() || null"
    >
      @if (indeterminate()) {
        <div class="h-full w-1/3 animate-pulse rounded-full bg-gradient-brand opacity-70"></div>
      } @else {
        <div
          class="h-full rounded-full bg-gradient-brand shadow-[0_0_16px_rgb(139_92_246/0.6)] transition-[width] duration-500"
          [style.width.%]="clamped()"
        ></div>
      }
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ProgressBarComponent {
  readonly percent = input<number | null>(null);
  readonly label = input('Progress');
  readonly valueText = input('');
  protected readonly indeterminate = computed(() => this.percent() === null);
  protected readonly clamped = computed(() => Math.round(Math.min(100, Math.max(0, this.percent() ?? 0))));
}
