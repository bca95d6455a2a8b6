import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../config/worker-config.ts';
import { onnxruntimeAttentionEnv } from './attention-backend.ts';

const base = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  S3_ENDPOINT: 'http://127.0.0.1:9000',
  S3_ACCESS_KEY: 'a',
  S3_SECRET_KEY: 'b',
  MODEL_DIR: '/models/wan',
  // Production refuses to start unsigned (issue 21): this test is about the attention kernel only.
  CONTENT_CREDENTIALS: 'off',
};

describe(onnxruntimeAttentionEnv.name, () => {
  it("should set onnxruntime's cuDNN attention switch for flash and cudnn, and nothing for auto", () => {
    expect(onnxruntimeAttentionEnv('auto')).toEqual({});
    expect(onnxruntimeAttentionEnv('flash')).toEqual({ ORT_ENABLE_CUDNN_FLASH_ATTENTION: '0' });
    expect(onnxruntimeAttentionEnv('cudnn')).toEqual({ ORT_ENABLE_CUDNN_FLASH_ATTENTION: '1' });
  });

  it('should default ATTENTION_BACKEND to auto and refuse a backend it does not know', () => {
    expect(loadWorkerConfig(base).ATTENTION_BACKEND).toBe('auto');
    expect(() => loadWorkerConfig({ ...base, ATTENTION_BACKEND: 'xformers' })).toThrow(/ATTENTION_BACKEND/);
  });
});
