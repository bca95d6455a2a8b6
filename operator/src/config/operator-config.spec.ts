import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './operator-config.ts';

const valid = {
  CINEWEAVE_API_URL: 'http://api:3000',
  INTERNAL_TOKEN: 'x'.repeat(32),
  WORKER_IMAGE: 'ghcr.io/cineweave/gpu-worker:0.1.0',
  WORKER_SECRET_NAME: 'cineweave-worker',
};

describe(loadConfig.name, () => {
  it('should parse namespaces and defaults when the environment is valid', () => {
    const config = loadConfig({ ...valid, WATCH_NAMESPACES: 'team-a, team-b,', METRICS_PORT: '9090' });
    expect(config.WATCH_NAMESPACES).toEqual(['team-a', 'team-b']);
    expect(config.METRICS_PORT).toBe(9090);
    expect(config.LEADER_ELECTION_ID).toBe('cineweave-operator');
  });

  it('should list every problem without values when variables are missing or wrong', () => {
    let caught: unknown;
    try {
      loadConfig({ INTERNAL_TOKEN: 'short-secret', METRICS_PORT: 'abc' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    for (const name of [
      'CINEWEAVE_API_URL',
      'INTERNAL_TOKEN',
      'METRICS_PORT',
      'WORKER_IMAGE',
      'WORKER_SECRET_NAME',
    ]) {
      expect(problems).toContain(name);
    }
    expect(problems).not.toContain('short-secret');
  });
});
