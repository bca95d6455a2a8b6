/** What a pull reports as it goes; a terminal draws a bar, a log gets plain lines. */
export interface PullProgress {
  start(plan: { repo: string; commit: string; files: number; bytes: number }): void;
  file(path: string, size: number): void;
  bytes(count: number): void;
  fileDone(path: string, how: 'downloaded' | 'resumed' | 'mismatch'): void;
  end(): void;
}

interface Sample {
  at: number;
  done: number;
}

/** Bytes, rate over the last seconds, and the time left at that rate. */
class Meter {
  total = 0;
  done = 0;
  private readonly samples: Sample[] = [];
  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  add(count: number): void {
    this.done += count;
    const at = this.now();
    this.samples.push({ at, done: this.done });
    while (this.samples.length > 2 && at - this.samples[0].at > 10_000) this.samples.shift();
  }

  /** Bytes per second over the last ten seconds. */
  rate(): number {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (!first || !last || last.at - first.at < 200) return 0;
    return ((last.done - first.done) * 1000) / (last.at - first.at);
  }

  etaSeconds(): number | null {
    const rate = this.rate();
    return rate > 0 ? Math.max(0, (this.total - this.done) / rate) : null;
  }
}

function files(count: number): string {
  return `${count} file${count === 1 ? '' : 's'}`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

function summary(meter: Meter): string {
  const rate = meter.rate();
  const eta = meter.etaSeconds();
  const percent = meter.total > 0 ? Math.floor((meter.done / meter.total) * 100) : 100;
  return (
    `${formatBytes(meter.done)} of ${formatBytes(meter.total)} (${percent} %)` +
    (rate > 0 ? `, ${formatBytes(rate)}/s` : '') +
    (eta !== null ? `, about ${formatDuration(eta)} left` : '')
  );
}

/** A bar redrawn in place on a terminal: `[#####.....] 1.2 GB of 32.1 GB (3 %), 58.0 MB/s, about 8 min 51 s left`. */
export class TerminalProgress implements PullProgress {
  private readonly meter: Meter;
  private current = '';
  private drawnAt = 0;
  private readonly stream: { write(text: string): unknown; columns?: number };
  private readonly now: () => number;

  constructor(
    stream: { write(text: string): unknown; columns?: number },
    now: () => number = () => performance.now(),
  ) {
    this.stream = stream;
    this.now = now;
    this.meter = new Meter(now);
  }

  start(plan: { repo: string; commit: string; files: number; bytes: number }): void {
    this.meter.total = plan.bytes;
    this.stream.write(
      `Pulling ${plan.repo}@${plan.commit.slice(0, 12)}: ${files(plan.files)}, ${formatBytes(plan.bytes)} to download\n`,
    );
  }

  file(path: string, _size: number): void {
    this.current = path;
    this.draw(true);
  }

  bytes(count: number): void {
    this.meter.add(count);
    this.draw(false);
  }

  fileDone(path: string, how: 'downloaded' | 'resumed' | 'mismatch'): void {
    this.stream.write(
      `\r\x1b[2K${how === 'mismatch' ? 'Did not verify' : how === 'resumed' ? 'Resumed and verified' : 'Verified'} ${path}\n`,
    );
    this.draw(true);
  }

  end(): void {
    this.stream.write(`\r\x1b[2KDownloaded ${formatBytes(this.meter.done)}\n`);
  }

  private draw(force: boolean): void {
    const now = this.now();
    if (!force && now - this.drawnAt < 100) return;
    this.drawnAt = now;
    const width = 24;
    const filled = this.meter.total > 0 ? Math.round((this.meter.done / this.meter.total) * width) : width;
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    const line = `${bar} ${summary(this.meter)}  ${this.current}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, Math.max(40, (this.stream.columns ?? 120) - 1))}`);
  }
}

/** Plain lines for logs: one per file, and a progress line every `everyMs`. */
export class LogProgress implements PullProgress {
  private readonly meter: Meter;
  private loggedAt: number;
  private readonly log: (line: string) => void;
  private readonly everyMs: number;
  private readonly now: () => number;

  constructor(log: (line: string) => void, everyMs = 30_000, now: () => number = () => performance.now()) {
    this.log = log;
    this.everyMs = everyMs;
    this.now = now;
    this.meter = new Meter(now);
    this.loggedAt = now();
  }

  start(plan: { repo: string; commit: string; files: number; bytes: number }): void {
    this.meter.total = plan.bytes;
    this.log(
      `Pulling ${plan.repo} at commit ${plan.commit}: ${files(plan.files)}, ${formatBytes(plan.bytes)} to download`,
    );
  }

  file(path: string, size: number): void {
    this.log(`Downloading ${path} (${formatBytes(size)})`);
  }

  bytes(count: number): void {
    this.meter.add(count);
    if (this.now() - this.loggedAt >= this.everyMs) {
      this.loggedAt = this.now();
      this.log(`Downloaded ${summary(this.meter)}`);
    }
  }

  fileDone(path: string, how: 'downloaded' | 'resumed' | 'mismatch'): void {
    this.log(
      how === 'mismatch'
        ? `Did not verify ${path}: its bytes are not what the hub publishes`
        : `${how === 'resumed' ? 'Resumed and verified' : 'Verified'} ${path}`,
    );
  }

  end(): void {
    this.log(`Downloaded ${formatBytes(this.meter.done)}`);
  }
}
