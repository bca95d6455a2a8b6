import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ListedPlan } from '@cineweave/contracts';
import { BillingStore } from '../account/billing/billing.store';
import { SessionStore } from '../core/auth/session.store';
import { PlatformConfigStore } from '../core/config/platform-config.store';
import { formatMoneyMinor, formatNumber } from '../core/format/format';
import { AlertComponent } from '../shared/ui/alert.component';
import { EmptyStateComponent } from '../shared/ui/empty-state.component';
import { PlansStore } from './plans.store';

/** What a plan card offers: a page to go to, a checkout to start, or a sentence when there is nothing to buy. */
export type PlanAction =
  | { kind: 'link'; label: string; link: string; queryParams?: Record<string, string> }
  | { kind: 'checkout'; label: string }
  | { kind: 'note'; text: string };

export interface PlanCard {
  plan: ListedPlan;
  price: string;
  perMonth: boolean;
  concurrency: string;
  action: PlanAction;
}

interface Example {
  src: string;
  title: string;
  prompt: string;
  meta: string;
}

@Component({
  selector: 'cw-landing-page',
  imports: [RouterLink, AlertComponent, EmptyStateComponent],
  providers: [BillingStore],
  templateUrl: './landing.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LandingPage {
  protected readonly session = inject(SessionStore);
  protected readonly plans = inject(PlansStore);
  protected readonly billing = inject(BillingStore);
  private readonly platform = inject(PlatformConfigStore);
  protected readonly formatNumber = formatNumber;

  /** Whether this install sells plans; without payments, an administrator grants credits and plans. */
  protected readonly paymentsEnabled = computed(() => this.platform.paymentsProvider() === 'truelayer');
  protected readonly cards = computed(() =>
    this.plans.plans().map((plan) => planCard(plan, this.paymentsEnabled(), this.session.signedIn())),
  );

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
    void this.platform.load();
  }
}

export function planCard(plan: ListedPlan, paymentsEnabled: boolean, signedIn: boolean): PlanCard {
  const limit = plan.effectiveActiveJobLimit ?? plan.activeJobLimit;
  const sold = paymentsEnabled && plan.priceMinor !== null && plan.priceMinor > 0;
  return {
    plan,
    price:
      plan.priceMinor === 0
        ? 'Free'
        : sold
          ? formatMoneyMinor(plan.priceMinor, plan.currency)
          : paymentsEnabled
            ? 'Custom'
            : 'Granted',
    perMonth: sold,
    concurrency: limit ? `${limit} videos rendering at once` : 'Standard rendering concurrency',
    action: planAction(plan, paymentsEnabled, sold, signedIn),
  };
}

function planAction(
  plan: ListedPlan,
  paymentsEnabled: boolean,
  sold: boolean,
  signedIn: boolean,
): PlanAction {
  if (plan.priceMinor === 0) {
    return signedIn
      ? { kind: 'link', label: 'Create a video', link: '/create' }
      : { kind: 'link', label: 'Start free', link: '/sign-up' };
  }
  if (sold) {
    return signedIn
      ? { kind: 'checkout', label: `Choose ${plan.name}` }
      : {
          kind: 'link',
          label: `Choose ${plan.name}`,
          link: '/sign-up',
          // After signing up, the account page offers the plan's checkout.
          queryParams: { returnUrl: '/account' },
        };
  }
  return {
    kind: 'note',
    text: paymentsEnabled
      ? 'Not sold online: your administrator sets this plan up for your account.'
      : 'This install takes no payments: an administrator grants this plan and its credits.',
  };
}
