import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL_CATALOG,
  ModelCatalogSchema,
  WorkerHeartbeatSchema,
  extendCatalog,
  fitsWorkerLimits,
  resolveForModel,
} from './model-catalog.ts';

const entry = (id: string) => DEFAULT_MODEL_CATALOG.find((model) => model.id === id)!;

describe('DEFAULT_MODEL_CATALOG', () => {
  it('should list the official, the distilled and the tiny test model', () => {
    expect(DEFAULT_MODEL_CATALOG.map((model) => model.id)).toEqual([
      'wan2.2-ti2v-5b',
      'fastwan2.2-ti2v-5b',
      'wan2.2-tiny-test',
    ]);
    expect(entry('wan2.2-tiny-test').testModel).toBe(true);
    expect(entry('fastwan2.2-ti2v-5b')).toMatchObject({
      presets: ['fast'],
      steps: { min: 3, max: 3 },
      guidanceScale: { min: 1, max: 1 },
      sampler: 'dmd',
    });
  });
});

describe('ModelCatalogSchema', () => {
  it('should refuse an id listed twice and defaults outside the limits when given', () => {
    const twice = ModelCatalogSchema.safeParse([entry('wan2.2-ti2v-5b'), entry('wan2.2-ti2v-5b')]);
    expect(twice.error?.issues[0]?.message).toBe('wan2.2-ti2v-5b is listed twice');
    const bad = ModelCatalogSchema.safeParse([
      { ...entry('wan2.2-tiny-test'), defaults: { ...entry('wan2.2-tiny-test').defaults, steps: 80 } },
    ]);
    expect(bad.error?.issues[0]?.path).toEqual([0, 'defaults', 'steps']);
  });

  it('should refuse a price factor finer than hundredths when given', () => {
    const bad = ModelCatalogSchema.safeParse([{ ...entry('wan2.2-tiny-test'), priceFactor: 0.333 }]);
    expect(bad.error?.issues[0]?.message).toContain('whole hundredths');
  });
});

describe(extendCatalog.name, () => {
  it('should add new ids and replace known ones when an install extends the catalog', () => {
    const extended = extendCatalog(DEFAULT_MODEL_CATALOG, [
      { ...entry('wan2.2-ti2v-5b'), priceFactor: 2 },
      { ...entry('wan2.2-ti2v-5b'), id: 'wan2.2-a14b', displayName: 'Wan 2.2 A14B', engine: 'openai-videos' },
    ]);
    expect(extended.map((model) => model.id)).toEqual([
      'wan2.2-ti2v-5b',
      'fastwan2.2-ti2v-5b',
      'wan2.2-tiny-test',
      'wan2.2-a14b',
    ]);
    expect(extended[0]?.priceFactor).toBe(2);
  });

  it('should throw when an extra entry is invalid', () => {
    expect(() => extendCatalog(DEFAULT_MODEL_CATALOG, [{ id: 'x' }])).toThrow();
  });
});

describe(resolveForModel.name, () => {
  it('should fill the model defaults when fields are left out', () => {
    expect(resolveForModel(entry('fastwan2.2-ti2v-5b'), {})).toEqual({
      job: {
        resolution: '1280x704',
        durationSeconds: 5,
        fps: 24,
        steps: 3,
        guidanceScale: 1,
        preset: 'fast',
      },
      problems: [],
    });
  });

  it('should name each limit when the job is outside the model', () => {
    const { problems } = resolveForModel(entry('wan2.2-tiny-test'), {
      resolution: '1280x704',
      durationSeconds: 5,
      preset: 'fast',
    });
    expect(problems).toEqual([
      {
        field: 'resolution',
        message: 'resolution 1280x704 is not one model wan2.2-tiny-test renders: 640x352, 352x640',
      },
      {
        field: 'durationSeconds',
        message: 'durationSeconds 5 is outside what model wan2.2-tiny-test renders: 1 to 2 s',
      },
      { field: 'preset', message: 'preset fast is not one model wan2.2-tiny-test serves: quality, balanced' },
    ]);
    expect(resolveForModel(entry('fastwan2.2-ti2v-5b'), { steps: 50 }).problems[0]?.message).toBe(
      'steps 50 is outside what model fastwan2.2-ti2v-5b renders: only 3',
    );
  });
});

describe(fitsWorkerLimits.name, () => {
  const limits = { maxResolution: '640x352' as const, maxFrames: 49 };
  it('should take either orientation within the largest size and frames', () => {
    expect(fitsWorkerLimits(limits, { resolution: '352x640', durationSeconds: 2, fps: 24 })).toBe(true);
    expect(fitsWorkerLimits(limits, { resolution: '640x352', durationSeconds: 3, fps: 24 })).toBe(false);
    expect(fitsWorkerLimits(limits, { resolution: '1280x704', durationSeconds: 1, fps: 8 })).toBe(false);
  });
});

describe('WorkerHeartbeatSchema', () => {
  it('should accept a worker announcement and refuse unknown fields', () => {
    const beat = {
      workerId: 'w-1',
      model: 'wan2.2-tiny-test',
      engine: 'onnx',
      ready: true,
      limits: { maxResolution: '640x352', maxFrames: 49 },
      at: new Date().toISOString(),
    };
    expect(WorkerHeartbeatSchema.parse(beat)).toEqual(beat);
    expect(WorkerHeartbeatSchema.safeParse({ ...beat, gpu: 'h100' }).success).toBe(false);
  });
});
