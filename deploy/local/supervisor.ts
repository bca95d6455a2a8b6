// Keeps a service of the local stack running: a process that dies is started again (one line says
// which, how it ended and where its log is), after a growing pause; one that keeps dying right after
// its start is given up on, and only it: the rest of the stack goes on serving.
import type { ManagedProcess } from './processes.ts';

export interface RestartPolicy {
  /** The pause before the first restart; doubled after each crash that follows quickly. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A process that ran at least this long before dying did not crash "fast": the count restarts. */
  stableAfterMs: number;
  /** Give up after this many fast crashes in a row. */
  maxFastCrashes: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
  maxFastCrashes: 5,
};

/** How a process ended, in words: `exit code 1`, `killed by SIGKILL`. */
export function describeExit(how: number | string): string {
  if (typeof how === 'number') return `exit code ${how}`;
  return how.startsWith('SIG') ? `killed by ${how}` : how;
}

/**
 * The decision after a process ended that had run `ranMs`: restart after `delayMs`, or give up.
 * Pure, so the policy is tested without waiting for real crashes.
 */
export class CrashCounter {
  private fastCrashes = 0;
  private readonly policy: RestartPolicy;

  constructor(policy: RestartPolicy) {
    this.policy = policy;
  }

  next(ranMs: number): { restart: true; delayMs: number } | { restart: false; crashes: number } {
    this.fastCrashes = ranMs >= this.policy.stableAfterMs ? 1 : this.fastCrashes + 1;
    if (this.fastCrashes > this.policy.maxFastCrashes)
      return { restart: false, crashes: this.fastCrashes - 1 };
    const delayMs = Math.min(
      this.policy.maxDelayMs,
      this.policy.initialDelayMs * 2 ** (this.fastCrashes - 1),
    );
    return { restart: true, delayMs };
  }
}

export interface SupervisorHooks {
  /** Starts the service (again); its readiness is then awaited through `waitReady`. */
  start(): ManagedProcess;
  waitReady(process: ManagedProcess): Promise<void>;
  /** True once the stack is stopping: an exit then is expected, nothing is restarted. */
  stopping(): boolean;
  /** One line for the terminal. */
  say(message: string): void;
  /** The log path as the terminal shows it. */
  shown(path: string): string;
  policy?: RestartPolicy;
  now?: () => number;
}

/**
 * Watches one service from its first ready start on. `current` is always the live process (or the
 * last one, once given up), so shutting the stack down stops the right one.
 */
export class Supervisor {
  current: ManagedProcess;
  /** Set once the service was given up on. */
  gaveUp = false;
  private readonly counter: CrashCounter;
  private readonly now: () => number;
  private startedAt: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly hooks: SupervisorHooks;

  constructor(first: ManagedProcess, hooks: SupervisorHooks) {
    this.hooks = hooks;
    this.current = first;
    this.now = hooks.now ?? Date.now;
    this.startedAt = this.now();
    this.counter = new CrashCounter(hooks.policy ?? DEFAULT_RESTART_POLICY);
    this.watch(first);
  }

  /** No restart pending after the stack was asked to stop. */
  cancel(): void {
    clearTimeout(this.timer);
  }

  private watch(managed: ManagedProcess): void {
    void managed.exited.then((how) => this.onExit(managed, how));
  }

  private onExit(managed: ManagedProcess, how: number | string): void {
    if (this.hooks.stopping() || managed !== this.current) return;
    const ranMs = this.now() - this.startedAt;
    const log = this.hooks.shown(managed.logFile);
    const decision = this.counter.next(ranMs);
    if (!decision.restart) {
      this.gaveUp = true;
      this.hooks.say(
        `${managed.name} stopped (${describeExit(how)}) and crashed ${decision.crashes} times in a row right after starting: ` +
          `not restarting it; the rest of the stack keeps running. Its last lines (all of them in ${log}):`,
      );
      for (const line of managed.lastLines().slice(-15)) this.hooks.say(`    ${line}`);
      return;
    }
    this.hooks.say(
      `${managed.name} stopped (${describeExit(how)}) after ${seconds(ranMs)}; restarting it in ${seconds(decision.delayMs)} (log: ${log})`,
    );
    this.timer = setTimeout(() => this.restart(), decision.delayMs);
    this.timer.unref();
  }

  private restart(): void {
    if (this.hooks.stopping()) return;
    const next = this.hooks.start();
    this.current = next;
    this.startedAt = this.now();
    this.watch(next);
    this.hooks.waitReady(next).then(
      () => {
        if (!this.hooks.stopping() && next === this.current) this.hooks.say(`  ✓ ${next.name} is back`);
      },
      // Not ready because it died again: onExit has already said so and decided.
      () => undefined,
    );
  }
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 10 ? `${Math.round(s * 10) / 10} s` : `${Math.round(s)} s`;
}
