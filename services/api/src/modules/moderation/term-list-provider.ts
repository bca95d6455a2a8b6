import type { ModerationInput, ModerationProvider, ModerationVerdict } from './moderation-provider.ts';

const escape = (term: string) => term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The built-in provider: the admins' terms (case-insensitive, whole words) and regular
 * expressions. A match flags the text under category `term` or `pattern`.
 */
export class TermListProvider implements ModerationProvider {
  readonly name = 'term-list';
  readonly judgesImages = false;
  private readonly terms: RegExp | null;
  private readonly patterns: RegExp[];

  constructor(terms: readonly string[], patterns: readonly string[]) {
    // \p{L}\p{N} boundaries instead of \b so that terms in any script match as whole words.
    this.terms =
      terms.length === 0
        ? null
        : new RegExp(`(?<![\\p{L}\\p{N}])(?:${terms.map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'iu');
    this.patterns = patterns.map((source) => new RegExp(source, 'iu'));
  }

  async classify(input: ModerationInput): Promise<ModerationVerdict> {
    const categories = new Set<string>();
    for (const text of input.texts) {
      if (this.terms?.test(text)) categories.add('term');
      if (this.patterns.some((pattern) => pattern.test(text))) categories.add('pattern');
    }
    return { flagged: categories.size > 0, categories: [...categories] };
  }
}
