import { describe, expect, it } from 'vitest';
import { CreateJobRequestSchema, frameCount, parseResolution } from './job-parameters.ts';

describe('CreateJobRequestSchema', () => {
  it('should leave the model and its defaults to admission when only a prompt is given', () => {
    // The model's catalog entry supplies resolution, duration, fps, steps, guidance and preset.
    expect(CreateJobRequestSchema.parse({ prompt: '  a red fox in snow  ' })).toEqual({
      prompt: 'a red fox in snow',
    });
  });

  it('should refuse an unknown preset with the allowed ones when given', () => {
    const result = CreateJobRequestSchema.safeParse({ prompt: 'a fox', preset: 'turbo' });
    expect(result.error?.issues[0]?.message).toBe('preset must be one of quality, balanced, fast');
  });

  it('should accept a full image-to-video request', () => {
    const request = {
      prompt: 'the cat turns its head',
      negativePrompt: 'blurry',
      imageUploadId: '0b6f2b0e-8d1a-4a8e-9a57-3c2f0f6f1d2a',
      resolution: '704x1280',
      durationSeconds: 10,
      fps: 16,
      seed: 4294967295,
      steps: 1,
      guidanceScale: 0,
      model: 'wan2.2-ti2v-5b-distill',
    };
    expect(CreateJobRequestSchema.parse(request)).toEqual(request);
  });

  it('should accept newlines and tabs in a prompt', () => {
    expect(CreateJobRequestSchema.parse({ prompt: 'line one\n\tline two' }).prompt).toBe(
      'line one\n\tline two',
    );
  });

  const rejected: [string, unknown, string][] = [
    ['a missing prompt', {}, 'prompt'],
    ['an empty prompt', { prompt: '   ' }, 'prompt'],
    ['a prompt that is too long', { prompt: 'x'.repeat(2001) }, 'prompt'],
    ['a prompt with a control character', { prompt: 'a\u0000b' }, 'prompt'],
    ['a prompt with an escape character', { prompt: 'a\u001bb' }, 'prompt'],
    ['a number as prompt', { prompt: 42 }, 'prompt'],
    ['an unknown field', { prompt: 'x', color: 'red' }, ''],
    ['an unknown resolution', { prompt: 'x', resolution: '1920x1080' }, 'resolution'],
    ['a zero duration', { prompt: 'x', durationSeconds: 0 }, 'durationSeconds'],
    ['a duration over ten seconds', { prompt: 'x', durationSeconds: 11 }, 'durationSeconds'],
    ['a fractional duration', { prompt: 'x', durationSeconds: 2.5 }, 'durationSeconds'],
    ['a duration given as a string', { prompt: 'x', durationSeconds: '5' }, 'durationSeconds'],
    ['zero steps', { prompt: 'x', steps: 0 }, 'steps'],
    ['101 steps', { prompt: 'x', steps: 101 }, 'steps'],
    ['a negative guidance scale', { prompt: 'x', guidanceScale: -1 }, 'guidanceScale'],
    ['a guidance scale over 20', { prompt: 'x', guidanceScale: 20.5 }, 'guidanceScale'],
    ['a negative seed', { prompt: 'x', seed: -1 }, 'seed'],
    ['a seed over 32 bits', { prompt: 'x', seed: 2 ** 32 }, 'seed'],
    ['NaN as seed', { prompt: 'x', seed: Number.NaN }, 'seed'],
    [
      'an image upload id that is not a UUID',
      { prompt: 'x', imageUploadId: '../etc/passwd' },
      'imageUploadId',
    ],
    ['an upper-case model id', { prompt: 'x', model: 'Wan' }, 'model'],
    ['a model id with a slash', { prompt: 'x', model: 'a/b' }, 'model'],
  ];

  it.each(rejected)('should reject %s', (_case, body, field) => {
    const result = CreateJobRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toContain(field);
  });

  it('should say which fields are unknown', () => {
    const result = CreateJobRequestSchema.safeParse({ prompt: 'x', colour: 'red' });
    expect(result.error?.issues[0]?.message).toMatch(/colour/);
  });
});

describe('frameCount', () => {
  it.each([
    [5, 24, 121],
    [1, 24, 25],
    [10, 24, 241],
    [2, 16, 33],
    [1, 8, 9],
  ])('should give %ss at %s fps %s frames (4k + 1)', (seconds, fps, frames) => {
    expect(frameCount(seconds, fps)).toBe(frames);
    expect((frames - 1) % 4).toBe(0);
  });
});

describe('parseResolution', () => {
  it('should split width and height', () => {
    expect(parseResolution('704x1280')).toEqual({ width: 704, height: 1280 });
  });
});
