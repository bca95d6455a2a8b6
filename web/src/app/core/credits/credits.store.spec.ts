import { TestBed } from '@angular/core/testing';
import type { CreditsSummary } from '@cineweave/contracts';
import { CineweaveApi } from '../api/cineweave-api';
import { CREDITS_POLL_MS, CreditsStore } from './credits.store';

const summary = (available: number): CreditsSummary => ({
  balance: available,
  reserved: 0,
  available,
  plan: 'free',
});

function setup(credits: () => Promise<CreditsSummary>) {
  const api = { credits: vi.fn(credits) };
  TestBed.configureTestingModule({ providers: [CreditsStore, { provide: CineweaveApi, useValue: api }] });
  return { store: TestBed.inject(CreditsStore), api };
}

/** A promise the test settles by hand, to land reads in any order. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe(CreditsStore.name, () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should re-read the balance every few seconds while the tab is visible', async () => {
    vi.useFakeTimers();
    let available = 100;
    const { store, api } = setup(async () => summary(available));

    store.startPolling();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.available()).toBe(100);

    available = 350;
    await vi.advanceTimersByTimeAsync(CREDITS_POLL_MS);
    expect(store.available()).toBe(350);
    expect(api.credits).toHaveBeenCalledTimes(2);
    expect(CREDITS_POLL_MS).toBeLessThanOrEqual(5_000);
    store.stopPolling();
  });

  it('should re-read at once when the window gets the focus back', async () => {
    vi.useFakeTimers();
    let available = 100;
    const { store, api } = setup(async () => summary(available));
    store.startPolling();
    await vi.advanceTimersByTimeAsync(0);

    available = 120;
    window.dispatchEvent(new Event('focus'));
    await vi.advanceTimersByTimeAsync(0);

    expect(api.credits).toHaveBeenCalledTimes(2);
    expect(store.available()).toBe(120);
    store.stopPolling();
  });

  it('should keep the latest read when an older one lands after it', async () => {
    const older = deferred<CreditsSummary>();
    const newer = deferred<CreditsSummary>();
    const answers = [older.promise, newer.promise];
    const { store } = setup(() => answers.shift() as Promise<CreditsSummary>);

    const first = store.refresh();
    const second = store.refresh();
    newer.resolve(summary(90));
    await second;
    older.resolve(summary(100));
    await first;

    expect(store.available()).toBe(90);
    expect(store.loading()).toBe(false);
  });

  it('should stop polling and drop a read still on its way when cleared', async () => {
    vi.useFakeTimers();
    const late = deferred<CreditsSummary>();
    const { store, api } = setup(() => late.promise);
    store.startPolling();

    store.clear();
    late.resolve(summary(100));
    await vi.advanceTimersByTimeAsync(CREDITS_POLL_MS * 3);

    expect(store.summary()).toBeNull();
    expect(api.credits).toHaveBeenCalledTimes(1);
  });
});
