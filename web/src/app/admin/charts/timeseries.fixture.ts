import type { AdminTimeseries } from '@cineweave/contracts';

const ZERO = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0, expired: 0 };
export const TEAM_A = '0b7c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f';
export const TEAM_B = '1c8d5a6f-4e2d-4b68-8a1f-1b2c3d4e5f60';

/** Three hours of 2 November and the day around them, as the API answers them. */
export function aTimeseries(overrides: Partial<AdminTimeseries> = {}): AdminTimeseries {
  return {
    from: '2026-11-02T00:00:00.000Z',
    to: '2026-11-02T03:00:00.000Z',
    bucket: 'hour',
    gpuHourlyCostUsd: 3.6,
    jobs: [
      { at: '2026-11-02T00:00:00.000Z', byStatus: { ...ZERO, succeeded: 2, cancelled: 1 } },
      { at: '2026-11-02T01:00:00.000Z', byStatus: ZERO },
      { at: '2026-11-02T02:00:00.000Z', byStatus: { ...ZERO, queued: 1 } },
    ],
    queue: [
      { at: '2026-11-02T00:00:00.000Z', depth: 0, started: 1, waitP95Seconds: 600 },
      { at: '2026-11-02T01:00:00.000Z', depth: 2, started: 1, waitP95Seconds: 3600 },
      { at: '2026-11-02T02:00:00.000Z', depth: 1, started: 0, waitP95Seconds: null },
    ],
    teams: [
      { id: TEAM_A, name: 'ana@example.com' },
      { id: TEAM_B, name: 'Design team' },
      { id: 'other', name: 'Other teams' },
    ],
    gpuByDay: [
      {
        day: '2026-11-02',
        byTeam: {
          [TEAM_A]: { gpuSeconds: 1500, costUsd: 1.5 },
          [TEAM_B]: { gpuSeconds: 1200, costUsd: 1.2 },
          other: { gpuSeconds: 150, costUsd: 0.15 },
        },
      },
    ],
    credits: [{ day: '2026-11-02', granted: 1500, toppedUp: 300, captured: 80 }],
    ...overrides,
  };
}
