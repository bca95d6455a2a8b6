import { describe, expect, it } from 'vitest';
import { ConfigError, loadWorkerConfig } from './worker-config.ts';

const valid = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  S3_ENDPOINT: 'http://127.0.0.1:4569',
  S3_ACCESS_KEY: 'S3RVER',
  S3_SECRET_KEY: 'S3RVER',
  MODEL_DIR: '/models/wan',
  CONTENT_CREDENTIALS_CERT_FILE: '/etc/cineweave/c2pa/tls.crt',
  CONTENT_CREDENTIALS_KEY_FILE: '/etc/cineweave/c2pa/tls.key',
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
      // The largest job the API admits at all: 1280x704, 10 s at 30 fps.
      WORKER_MAX_RESOLUTION: '1280x704',
      WORKER_MAX_FRAMES: 301,
    });
  });

  it('should read the limits a worker announces and refuse a size that is not one of the resolutions', () => {
    expect(
      loadWorkerConfig({ ...valid, WORKER_MAX_RESOLUTION: '640x352', WORKER_MAX_FRAMES: '49' }),
    ).toMatchObject({ WORKER_MAX_RESOLUTION: '640x352', WORKER_MAX_FRAMES: 49 });
    expect(() => loadWorkerConfig({ ...valid, WORKER_MAX_RESOLUTION: '4096x2160' })).toThrow(
      /WORKER_MAX_RESOLUTION: resolution must be one of/,
    );
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

  describe('Content Credentials', () => {
    const { CONTENT_CREDENTIALS_CERT_FILE: _cert, CONTENT_CREDENTIALS_KEY_FILE: _key, ...unsigned } = valid;

    it('should refuse to start in production without a signing certificate and key', () => {
      expect(() => loadWorkerConfig(unsigned)).toThrow(
        /CONTENT_CREDENTIALS_CERT_FILE, CONTENT_CREDENTIALS_KEY_FILE: production signs every video.*CONTENT_CREDENTIALS=off/,
      );
    });

    it('should start in production without a key when signing is switched off on purpose', () => {
      expect(loadWorkerConfig({ ...unsigned, CONTENT_CREDENTIALS: 'off' })).toMatchObject({
        CONTENT_CREDENTIALS: 'off',
      });
    });

    it('should sign by default with the mounted certificate and key', () => {
      expect(loadWorkerConfig(valid)).toMatchObject({
        CONTENT_CREDENTIALS: 'on',
        CONTENT_CREDENTIALS_CERT_FILE: '/etc/cineweave/c2pa/tls.crt',
        CONTENT_CREDENTIALS_KEY_FILE: '/etc/cineweave/c2pa/tls.key',
      });
    });

    it('should start without a key outside production (a test chain is made at start)', () => {
      expect(
        loadWorkerConfig({ ...unsigned, NODE_ENV: 'development' }).CONTENT_CREDENTIALS_CERT_FILE,
      ).toBeUndefined();
    });

    it('should refuse a certificate without its key', () => {
      expect(() => loadWorkerConfig({ ...unsigned, CONTENT_CREDENTIALS_CERT_FILE: '/c2pa/tls.crt' })).toThrow(
        /CONTENT_CREDENTIALS_KEY_FILE: is required with CONTENT_CREDENTIALS_CERT_FILE/,
      );
    });

    it('should refuse a value other than on or off', () => {
      expect(() => loadWorkerConfig({ ...valid, CONTENT_CREDENTIALS: 'maybe' })).toThrow(
        /CONTENT_CREDENTIALS/,
      );
    });
  });
});
