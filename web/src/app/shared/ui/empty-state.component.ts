import { ChangeDetectionStrategy, Component, input } from '@angular/core';

/** What a page shows when there is nothing yet, with a way forward projected in. */
@Component({
  selector: 'cw-empty-state',
  template: `
    <div class="flex flex-col items-center rounded-2xl border border-dashed border-white/12 px-6 py-12 text-center">
      <div class="mb-4 grid size-12 place-items-center rounded-2xl bg-gradient-brand/20 bg-white/5 text-2xl" aria-hidden="true">
        {{ icon() }}
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
  readonly icon = input('✦');
}
