import { ChangeDetectionStrategy, Component } from '@angular/core';

@Component({
  selector: 'cw-logo',
  template: `
    <span class="inline-flex items-center gap-2.5">
      <svg class="size-8" viewBox="0 0 32 32" aria-hidden="true">
        <defs>
          <linearGradient id="cw-logo" x1="0" y1="0" x2="32" y2="32">
            <stop stop-color="#8b5cf6" />
            <stop offset="0.55" stop-color="#f43f5e" />
            <stop offset="1" stop-color="#3b82f6" />
          </linearGradient>
        </defs>
        <rect width="32" height="32" rx="9" fill="url(#cw-logo)" />
        <path
          d="M6 11c3.5 0 3.5 10 7 10s3.5-10 7-10 3.5 10 7 10"
          fill="none"
          stroke="#fff"
          stroke-width="2.6"
          stroke-linecap="round"
        />
      </svg>
      <span class="font-display text-lg font-bold tracking-tight text-ink"
        >Cine<span class="text-gradient">Weave</span></span
      >
    </span>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LogoComponent {}
