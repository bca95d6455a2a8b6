import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import { SessionStore } from '../core/auth/session.store';
import { formatMoneyMinor, formatNumber } from '../core/format/format';
import { AlertComponent } from '../shared/ui/alert.component';
import { EmptyStateComponent } from '../shared/ui/empty-state.component';
import { PlansStore } from './plans.store';

interface Example {
  src: string;
  title: string;
  prompt: string;
  meta: string;
}

@Component({
  selector: 'cw-landing-page',
  imports: [RouterLink, AlertComponent, EmptyStateComponent],
  templateUrl: './landing.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LandingPage {
  protected readonly session = inject(SessionStore);
  protected readonly plans = inject(PlansStore);
  protected readonly formatMoneyMinor = formatMoneyMinor;
  protected readonly formatNumber = formatNumber;

  protected readonly examples: Example[] = [
    {
      src: 'examples/neon-city.svg',
      title: 'Neon rain',
      prompt: 'A rain-soaked cyberpunk street at night, neon signs reflecting in puddles, slow dolly forward',
      meta: 'Text to video · 5 s · 1280×704',
    },
    {
      src: 'examples/aurora-fjord.svg',
      title: 'Northern lights',
      prompt: 'Aurora borealis rippling over a silent fjord, stars wheeling, time-lapse',
      meta: 'Text to video · 8 s · 1280×704',
    },
    {
      src: 'examples/koi-ink.svg',
      title: 'Koi in ink',
      prompt: 'Two koi circling in dark water, ink-wash style, gentle ripples',
      meta: 'Image to video · 5 s · 1280×704',
    },
    {
      src: 'examples/desert-caravan.svg',
      title: 'Caravan at dusk',
      prompt: 'A camel caravan crossing dunes at sunset, long shadows, wide cinematic shot',
      meta: 'Text to video · 6 s · 1280×704',
    },
  ];

  protected readonly steps = [
    { title: 'Describe it', text: 'Write a prompt, or drop in a still image to bring to life.' },
    { title: 'See the price', text: 'Every clip is quoted in credits before you press create.' },
    { title: 'Watch it render', text: 'Follow each denoising step live, then play and download.' },
  ];

  constructor() {
    void this.plans.load();
  }
}
