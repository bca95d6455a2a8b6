import { describe, expect, it } from 'vitest';
import { ConfigError, loadWorkerConfig } from './worker-config.ts';

const valid = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  S3_ENDPOINT: 'http://127.0.0.1:4569',
  S3_ACCESS_KEY: 'S3RVER',
  S3_SECRET_KEY: 'S3RVER',
  MODEL_DIR: '/models/wan',
};

describe(loadWorkerConfig.name, () => {
  it('should apply the documented defaults', () => {
    expect(loadWorkerConfig(valid)).toMatchObject({
      DEVICE: 'cuda',
      MODEL_ID: 'wan2.2-ti2v-5b',
      METRICS_PORT: 9464,
      WORKER_CONCURRENCY: 1,
      SHUTDOWN_GRACE_SECONDS: 30,
      FFMPEG_PATH: 'ffmpeg',
      S3_BUCKET: 'cineweave',
    });
  });

  it('should read numbers and the device from strings', () => {
    const config = loadWorkerConfig({
      ...valid,
      DEVICE: 'cpu',
      METRICS_PORT: '9100',
      GPU_HOURLY_COST_USD: '1.75',
    });
    expect(config).toMatchObject({ DEVICE: 'cpu', METRICS_PORT: 9100, GPU_HOURLY_COST_USD: 1.75 });
  });

  it('should list every problem at once', () => {
    let error: unknown;
    try {
      loadWorkerConfig({ REDIS_URL: 'http://nope', DEVICE: 'tpu', METRICS_PORT: '70000', S3_ACCESS_KEY: '' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const field of [
      'REDIS_URL',
      'S3_ENDPOINT',
      'S3_ACCESS_KEY',
      'S3_SECRET_KEY',
      'MODEL_DIR',
      'DEVICE',
      'METRICS_PORT',
    ]) {
      expect(problems).toContain(field);
    }
  });
});
