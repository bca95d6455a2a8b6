import { describe, expect, it } from 'vitest';
import { TermListProvider } from './term-list-provider.ts';

describe(TermListProvider.name, () => {
  const judge = (provider: TermListProvider, ...texts: string[]) => provider.classify({ texts, images: [] });

  it('should flag a term as a whole word whatever its case', async () => {
    const provider = new TermListProvider(['gore', 'c++'], []);
    await expect(judge(provider, 'Some GORE here')).resolves.toEqual({ flagged: true, categories: ['term'] });
    await expect(judge(provider, 'I like c++ a lot')).resolves.toEqual({
      flagged: true,
      categories: ['term'],
    });
    await expect(judge(provider, 'gorehound', 'Gorey')).resolves.toEqual({ flagged: false, categories: [] });
  });

  it('should match terms in other scripts as whole words', async () => {
    const provider = new TermListProvider(['кровь'], []);
    await expect(judge(provider, 'много КРОВЬ')).resolves.toMatchObject({ flagged: true });
    await expect(judge(provider, 'кровью')).resolves.toMatchObject({ flagged: false });
  });

  it('should flag a pattern in any of the texts, and both categories when both match', async () => {
    const provider = new TermListProvider(['blood'], ['\\d{3}-\\d{4}']);
    const verdict = await judge(provider, 'call 555-1234', 'blood');
    expect(verdict.flagged).toBe(true);
    expect(verdict.categories.toSorted()).toEqual(['pattern', 'term']);
  });

  it('should flag nothing with an empty policy', async () => {
    await expect(judge(new TermListProvider([], []), 'anything')).resolves.toEqual({
      flagged: false,
      categories: [],
    });
  });
});
