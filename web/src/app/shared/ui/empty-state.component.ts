import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { IconComponent, type IconName } from './icon.component';

/** What a page shows when there is nothing yet, with a way forward projected in. */
@Component({
  selector: 'cw-empty-state',
  imports: [IconComponent],
  template: `
    <div
      class="flex flex-col items-center rounded-2xl border border-dashed border-white/12 px-6 py-12 text-center"
    >
      <div
        class="mb-4 grid size-12 place-items-center rounded-2xl bg-white/5 text-violet-300 ring-1 ring-white/10"
      >
        <cw-icon [name]="icon()" [size]="6" />
      </div>
      <h3 class="font-display text-lg font-semibold text-ink">{{ heading() }}</h3>
      @if (message()) {
        <p class="mt-1 max-w-md text-sm text-ink-muted">{{ message() }}</p>
      }
      <div class="mt-5 flex flex-wrap justify-center gap-3"><ng-content /></div>
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class EmptyStateComponent {
  readonly heading = input.required<string>();
  readonly message = input<string>('');
  readonly icon = input<IconName>('sparkle');
}
