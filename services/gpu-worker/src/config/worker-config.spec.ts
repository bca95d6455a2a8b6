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

  it('should need no model directory when the engine is a server beside the worker', () => {
    const { MODEL_DIR: _dir, ...withoutModel } = valid;
    expect(loadWorkerConfig({ ...withoutModel, ENGINE_KIND: 'openai-videos' })).toMatchObject({
      ENGINE_KIND: 'openai-videos',
      ENGINE_URL: 'http://127.0.0.1:8000',
      ENGINE_HEALTH_PATH: '/health',
      ENGINE_RENDER_TIMEOUT_SECONDS: 3600,
    });
    expect(() => loadWorkerConfig(withoutModel)).toThrow(
      /MODEL_DIR: must name the directory written by build-model/,
    );
  });

  it('should refuse an engine it does not know, naming the ones it does', () => {
    expect(() => loadWorkerConfig({ ...valid, ENGINE_KIND: 'tensorrt' })).toThrow(
      /ENGINE_KIND: .*onnx.*openai-videos/,
    );
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
