import { Backoff } from './backoff.ts';

export interface ReconcileResult {
  /** Reconcile again after this long even if nothing changes (polling an external system). */
  requeueAfterMs?: number;
}

export type Reconciler = (key: string) => Promise<ReconcileResult | void>;

export interface WorkQueueOptions {
  name: string;
  concurrency: number;
  reconcile: Reconciler;
  /** Rate-limited retry after an error: base · 2^failures, capped. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  onResult?: (key: string, result: 'success' | 'error' | 'requeue', seconds: number, error?: unknown) => void;
  onDepth?: (depth: number) => void;
}

/**
 * A work queue in the manner of client-go's: a key waits at most once (adds while it waits
 * collapse), a key being reconciled is never handed to a second worker (an add during the
 * reconcile marks it dirty and it runs again afterwards), and failures come back with per-key
 * exponential backoff that resets on success.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly backoff: Backoff;
  private readonly waiters: (() => void)[] = [];
  private running = false;
  private workers: Promise<void>[] = [];

  private readonly options: WorkQueueOptions;

  constructor(options: WorkQueueOptions) {
    this.options = options;
    this.backoff = new Backoff(options.retryBaseMs ?? 200, options.retryMaxMs ?? 60_000);
  }

  get depth(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (!this.running || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.options.onDepth?.(this.queue.length);
    this.waiters.shift()?.();
  }

  /** Adds the key after a delay; an earlier pending delay for the key wins. */
  addAfter(key: string, ms: number): void {
    if (!this.running) return;
    if (ms <= 0) return this.add(key);
    const at = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  addRateLimited(key: string): void {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    this.addAfter(key, this.backoff.delay(failures));
  }

  /** Forgets a key's failures, so that its next error starts again at the base delay. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.workers = Array.from({ length: this.options.concurrency }, () => this.work());
  }

  /** Stops taking keys, drops pending ones and waits for reconciles in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.queue.length = 0;
    this.dirty.clear();
    this.failures.clear();
    for (const wake of this.waiters.splice(0)) wake();
    await Promise.all(this.workers);
    this.options.onDepth?.(0);
  }

  private async work(): Promise<void> {
    while (this.running) {
      const key = this.queue.shift();
      if (key === undefined) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      this.options.onDepth?.(this.queue.length);
      this.dirty.delete(key);
      this.processing.add(key);
      const started = performance.now();
      try {
        const result = await this.options.reconcile(key);
        const seconds = (performance.now() - started) / 1000;
        this.forget(key);
        if (result?.requeueAfterMs !== undefined) {
          this.options.onResult?.(key, 'requeue', seconds);
          this.addAfter(key, result.requeueAfterMs);
        } else {
          this.options.onResult?.(key, 'success', seconds);
        }
      } catch (error) {
        this.options.onResult?.(key, 'error', (performance.now() - started) / 1000, error);
        this.addRateLimited(key);
      } finally {
        this.processing.delete(key);
        if (this.dirty.has(key) && this.running) {
          this.queue.push(key);
          this.waiters.shift()?.();
        }
      }
    }
  }
}
