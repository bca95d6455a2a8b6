import { describe, expect, it } from 'vitest';
import type { EngineReadiness } from '../engine/engine.ts';
import { ReadinessMonitor } from './readiness-monitor.ts';

describe(ReadinessMonitor.name, () => {
  it('should report each change of the engine’s readiness once, with the reason', async () => {
    const answers: (EngineReadiness | Error)[] = [
      { ready: false, reason: 'loading' },
      { ready: true },
      { ready: true },
      { ready: false, reason: 'connection refused' },
      new Error('health check timed out'),
      new Error('health check timed out'),
      { ready: true },
    ];
    const events: string[] = [];
    const monitor = new ReadinessMonitor(
      {
        ready: async () => {
          const answer = answers.shift() ?? { ready: true };
          if (answer instanceof Error) throw answer;
          return answer;
        },
      },
      60_000,
      {
        onReady: () => void events.push('ready'),
        onNotReady: (reason) => void events.push(`not ready: ${reason}`),
      },
    );
    for (let i = 0; i < 7; i += 1) await monitor.checkNow();
    expect(events).toEqual([
      'not ready: loading',
      'ready',
      'not ready: connection refused',
      'not ready: health check timed out',
      'ready',
    ]);
  });
});
