import { JobStopped } from '../engine/engine.ts';

export interface JobStopOptions {
  /** Whether the job's owner asked to stop it (the API's cancel flag). */
  isCancelled(): Promise<boolean>;
  /** When the worker must hand its job back (set on SIGTERM), or null. */
  shutdownDeadline(): number | null;
  /** How often to look between the engine's own checkpoints. */
  pollMs: number;
}

/**
 * One job's stop: an AbortSignal for engines that wait on a server, and a `check()` for engines
 * that have step boundaries. Either way the reason is a JobStopped saying why.
 */
export class JobStop {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private readonly options: JobStopOptions;

  constructor(options: JobStopOptions) {
    this.options = options;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Polls in the background until disposed; a failed look (Redis away) is retried at the next tick. */
  start(): this {
    this.timer = setInterval(() => void this.check().catch(() => undefined), this.options.pollMs);
    this.timer.unref();
    return this;
  }

  /** Looks now; throws (and aborts the signal) when the job must stop. */
  async check(): Promise<void> {
    if (this.signal.aborted) throw this.signal.reason as JobStopped;
    const deadline = this.options.shutdownDeadline();
    if (deadline !== null && Date.now() > deadline) this.stop('shutdown');
    else if (await this.options.isCancelled()) this.stop('cancelled');
    if (this.signal.aborted) throw this.signal.reason as JobStopped;
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private stop(why: 'cancelled' | 'shutdown'): void {
    if (!this.signal.aborted) this.controller.abort(new JobStopped(why));
  }
}
