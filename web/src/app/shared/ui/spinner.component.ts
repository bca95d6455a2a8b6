import { ChangeDetectionStrategy, Component, input } from '@angular/core';

@Component({
  selector: 'cw-spinner',
  template: `
    <span class="inline-flex items-center gap-2 text-sm text-ink-muted" role="status">
      <svg class="size-4 animate-spin" viewBox="0 0 24 24" fill="none" aria-hidden="true">
        <circle cx="12" cy="12" r="10" stroke="currentColor" stroke-opacity="0.25" stroke-width="3" />
        <path d="M22 12a10 10 0 0 0-10-10" stroke="url(#cw-spin)" stroke-width="3" stroke-linecap="round" />
        <defs>
          <linearGradient id="cw-spin" x1="0" y1="0" x2="24" y2="24">
            <stop stop-color="#8b5cf6" />
            <stop offset="0.5" stop-color="#f43f5e" />
            <stop offset="1" stop-color="#3b82f6" />
          </linearGradient>
        </defs>
      </svg>
      <span [class.sr-only]="!showLabel()">{{ label() }}</span>
    </span>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SpinnerComponent {
  readonly label = input('Loading…');
  readonly showLabel = input(true);
}
