import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanPrompt } from './prompt-cleaner.ts';
import { PromptTokenizer } from './prompt-tokenizer.ts';
import { tinyTokenizerConfig, tinyTokenizerJson } from './tiny-tokenizer.ts';

describe(cleanPrompt.name, () => {
  it.each([
    ['  a   red\n\tfox  ', 'a red fox'],
    ['fish &amp;amp; chips', 'fish & chips'],
    ['&lt;b&gt; &#233;t&#xE9;', '<b> été'],
    ['unknown &bogus; stays', 'unknown &bogus; stays'],
  ])('should clean %j to %j', (input, output) => {
    expect(cleanPrompt(input)).toBe(output);
  });
});

describe(PromptTokenizer.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cineweave-tokenizer-'));
  let tokenizer: PromptTokenizer;

  beforeAll(async () => {
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tinyTokenizerJson(1000)));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tinyTokenizerConfig()));
    tokenizer = await PromptTokenizer.load(join(dir, 'tokenizer.json'), join(dir, 'tokenizer_config.json'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should end the real tokens with </s> and pad the rest with <pad>', () => {
    const { ids, mask, length } = tokenizer.encode('A red fox in the snow', 16);
    expect(ids).toHaveLength(16);
    expect(length).toBe(7); // ▁a ▁red ▁fox ▁in ▁the ▁snow </s>
    expect(ids[length - 1]).toBe(1n);
    expect([...mask]).toEqual([...Array(length).fill(1n), ...Array(16 - length).fill(0n)]);
    expect([...ids.slice(length)]).toEqual(Array(16 - length).fill(0n));
  });

  it('should give the same ids for the same prompt, whatever its spacing', () => {
    expect(tokenizer.encode('red   fox', 8).ids).toEqual(tokenizer.encode(' red fox ', 8).ids);
  });

  it('should spell unknown words out of characters rather than drop them', () => {
    const { ids, length } = tokenizer.encode('zyx', 8);
    expect(length).toBeGreaterThan(2);
    expect([...ids.slice(0, length - 1)]).not.toContain(2n);
  });

  it('should truncate long prompts and still end with </s>', () => {
    const { ids, mask, length } = tokenizer.encode('red fox '.repeat(50), 12);
    expect(length).toBe(12);
    expect(ids[11]).toBe(1n);
    expect(mask.every((value) => value === 1n)).toBe(true);
  });

  it('should refuse a tokenizer without T5 special tokens', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...tinyTokenizerJson(1000), added_tokens: [] }));
    await expect(PromptTokenizer.load(join(dir, 'bad.json'))).rejects.toThrow(
      /lacks the <pad> or <\/s> token/,
    );
  });
});
