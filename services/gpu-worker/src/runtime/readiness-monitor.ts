import type { EngineReadiness, InferenceEngine } from '../engine/engine.ts';

export interface ReadinessHandlers {
  onReady(): void;
  onNotReady(reason: string): void;
}

/**
 * Polls the engine's readiness and reports changes: the worker is ready (and takes jobs) only
 * while its engine is. A sidecar that crashed or hangs turns the worker not ready within one
 * interval; one that comes back turns it ready again.
 */
export class ReadinessMonitor {
  private timer: NodeJS.Timeout | null = null;
  private state: boolean | null = null;
  private reason = '';
  private checking: Promise<EngineReadiness> | null = null;
  private readonly engine: Pick<InferenceEngine, 'ready'>;
  private readonly intervalMs: number;
  private readonly handlers: ReadinessHandlers;

  constructor(engine: Pick<InferenceEngine, 'ready'>, intervalMs: number, handlers: ReadinessHandlers) {
    this.engine = engine;
    this.intervalMs = intervalMs;
    this.handlers = handlers;
  }

  async start(): Promise<void> {
    await this.checkNow();
    this.timer = setInterval(() => void this.checkNow(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Checks now (after an engine failure, say); concurrent calls share one check. */
  checkNow(): Promise<EngineReadiness> {
    this.checking ??= this.engine
      .ready()
      .catch((error: unknown) => ({ ready: false, reason: (error as Error).message }))
      .then((readiness) => {
        this.checking = null;
        if (readiness.ready && this.state !== true) this.handlers.onReady();
        const reason = readiness.reason ?? 'the engine is not ready';
        if (!readiness.ready && (this.state !== false || reason !== this.reason))
          this.handlers.onNotReady(reason);
        this.state = readiness.ready;
        this.reason = readiness.ready ? '' : reason;
        return readiness;
      });
    return this.checking;
  }
}
