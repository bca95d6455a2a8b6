import { TestBed } from '@angular/core/testing';
import { ActivatedRoute, convertToParamMap, provideRouter } from '@angular/router';
import type { PaymentView } from '@cineweave/contracts';
import { CreditsStore } from '../../core/credits/credits.store';
import { text } from '../../testing/fake-api';
import { BillingApi } from './billing-api';
import { PAYMENT_POLL } from './payment-status.store';
import { PaymentStatusPage } from './payment-status.page';

const PAYMENT: PaymentView = {
  id: '3f0c7c2e-52c5-4d7e-9d0e-5d7a3d1c2b10',
  product: { kind: 'pack', packId: 'pack-500' },
  status: 'pending',
  amountMinor: 500,
  currency: 'GBP',
  credits: 500,
  failureReason: null,
  createdAt: '2026-11-24T04:00:00.000Z',
  settledAt: null,
};

async function setup(query: Record<string, string>, payment: (id: string) => Promise<PaymentView>) {
  const refresh = vi.fn(async () => undefined);
  TestBed.configureTestingModule({
    providers: [
      provideRouter([]),
      { provide: ActivatedRoute, useValue: { snapshot: { queryParamMap: convertToParamMap(query) } } },
      { provide: BillingApi, useValue: { payment } },
      { provide: CreditsStore, useValue: { refresh } },
      { provide: PAYMENT_POLL, useValue: { intervalMs: 5, giveUpAfterMs: 2000 } },
    ],
  });
  const fixture = TestBed.createComponent(PaymentStatusPage);
  await fixture.whenStable();
  return { fixture, element: fixture.nativeElement as HTMLElement, refresh };
}

describe(PaymentStatusPage.name, () => {
  it('should follow the payment until it settles and then refresh the credits', async () => {
    const answers: PaymentView['status'][] = ['pending', 'authorized', 'executed', 'settled'];
    const payment = vi.fn(async () => ({
      ...PAYMENT,
      status: answers.shift() ?? 'settled',
    }));
    const { fixture, element, refresh } = await setup({ payment_id: 'tl-payment-1' }, payment);

    await vi.waitFor(() => {
      fixture.detectChanges();
      expect(text(element.querySelector('[data-testid="payment-status-label"]'))).toBe('Complete');
    });
    expect(payment).toHaveBeenCalledWith('tl-payment-1');
    expect(payment).toHaveBeenCalledTimes(4);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(text(element.querySelector('h1'))).toBe('Payment complete');
  });

  it('should stop and say nothing was charged when the payment fails', async () => {
    const payment = vi.fn(async () => ({ ...PAYMENT, status: 'failed' as const, failureReason: 'canceled' }));
    const { fixture, element, refresh } = await setup({ payment: PAYMENT.id }, payment);

    await vi.waitFor(() => {
      fixture.detectChanges();
      expect(text(element.querySelector('[data-testid="payment-status"]'))).toContain(
        'Nothing was charged (canceled)',
      );
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(payment).toHaveBeenCalledTimes(1);
    expect(refresh).not.toHaveBeenCalled();
  });

  it('should explain when it is opened without a payment id', async () => {
    const payment = vi.fn();
    const { fixture, element } = await setup({}, payment);
    fixture.detectChanges();

    expect(text(element.querySelector('[role="alert"]'))).toContain('No payment to follow');
    expect(payment).not.toHaveBeenCalled();
  });
});
