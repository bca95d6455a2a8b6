import { describe, expect, it } from 'vitest';
import { OFFICIAL_LAYOUT_FILES } from './pull.ts';
import { matchesAny } from './glob.ts';

describe(matchesAny.name, () => {
  it.each([
    ['config.json', true],
    ['diffusion_pytorch_model-00001-of-00003.safetensors', true],
    ['diffusion_pytorch_model.safetensors.index.json', true],
    ['models_t5_umt5-xxl-enc-bf16.pth', true],
    ['Wan2.2_VAE.pth', true],
    ['google/umt5-xxl/tokenizer.json', true],
    ['google/umt5-xxl/sub/spiece.model', true],
    ['assets/logo.png', false],
    ['examples/i2v_input.JPG', false],
    ['configXjson', false],
    ['nested/config.json', false],
  ])('should say whether the official layout needs %s', (path, wanted) => {
    expect(matchesAny(path, OFFICIAL_LAYOUT_FILES)).toBe(wanted);
  });

  it('should keep * within a folder and let ** cross folders', () => {
    expect(matchesAny('a/b.txt', ['*.txt'])).toBe(false);
    expect(matchesAny('a/b.txt', ['**'])).toBe(true);
    expect(matchesAny('a/b/c.txt', ['a/**/c.txt'])).toBe(true);
    expect(matchesAny('a/c.txt', ['a/**/c.txt'])).toBe(true);
  });
});
