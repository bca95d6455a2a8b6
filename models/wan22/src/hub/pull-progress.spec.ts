import { describe, expect, it } from 'vitest';
import { LogProgress, TerminalProgress, formatBytes, formatDuration } from './pull-progress.ts';

function clock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe(TerminalProgress.name, () => {
  it('should redraw one line with a bar, bytes, rate and time left', () => {
    const time = clock();
    let screen = '';
    const progress = new TerminalProgress(
      { write: (text: string) => (screen += text), columns: 200 },
      time.now,
    );
    progress.start({ repo: 'Wan-AI/Wan2.2-TI2V-5B', commit: 'a'.repeat(40), files: 2, bytes: 100_000_000 });
    progress.file('Wan2.2_VAE.pth', 100_000_000);
    for (let i = 0; i < 10; i += 1) {
      time.advance(1000);
      progress.bytes(5_000_000);
    }
    const last = screen.split('\r').at(-1) ?? '';
    expect(last).toMatch(
      /\[#{12}\.{12}\] 50\.0 MB of 100\.0 MB \(50 %\), 5\.0 MB\/s, about 10 s left {2}Wan2\.2_VAE\.pth/,
    );
    expect(
      screen.startsWith('Pulling Wan-AI/Wan2.2-TI2V-5B@aaaaaaaaaaaa: 2 files, 100.0 MB to download\n'),
    ).toBe(true);
  });
});

describe(LogProgress.name, () => {
  it('should write plain lines: one per file and one every interval', () => {
    const time = clock();
    const lines: string[] = [];
    const progress = new LogProgress((line) => lines.push(line), 30_000, time.now);
    progress.start({ repo: 'r/m', commit: 'b'.repeat(40), files: 1, bytes: 3_000_000_000 });
    progress.file('model.safetensors', 3_000_000_000);
    for (let i = 0; i < 60; i += 1) {
      time.advance(1000);
      progress.bytes(25_000_000);
    }
    progress.fileDone('model.safetensors', 'downloaded');
    expect(lines).toEqual([
      `Pulling r/m at commit ${'b'.repeat(40)}: 1 file, 3.0 GB to download`,
      'Downloading model.safetensors (3.0 GB)',
      'Downloaded 750.0 MB of 3.0 GB (25 %), 25.0 MB/s, about 1 min 30 s left',
      'Downloaded 1.5 GB of 3.0 GB (50 %), 25.0 MB/s, about 1 min 00 s left',
      'Verified model.safetensors',
    ]);
  });
});

describe(formatDuration.name, () => {
  it('should read like a person would say it', () => {
    expect([formatDuration(42), formatDuration(531), formatDuration(7380)]).toEqual([
      '42 s',
      '8 min 51 s',
      '2 h 03 min',
    ]);
    expect(formatBytes(999)).toBe('999 B');
  });
});
