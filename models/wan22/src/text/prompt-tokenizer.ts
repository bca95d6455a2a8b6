import { Tokenizer } from '@huggingface/tokenizers';
import { readFile } from 'node:fs/promises';
import { cleanPrompt } from './prompt-cleaner.ts';

export interface TokenizedPrompt {
  /** Token ids, right-padded with the pad id to `maxLength` (int64, as the text encoder takes them). */
  ids: BigInt64Array;
  /** 1 for real tokens (including the closing `</s>`), 0 for padding. */
  mask: BigInt64Array;
  /** Number of real tokens: the text encoder's output is trimmed to this many rows. */
  length: number;
}

/**
 * umT5's tokenizer (a SentencePiece unigram model in `tokenizer.json` form) with the padding and
 * truncation Wan uses: at most `maxLength` tokens, the last one always `</s>`.
 */
export class PromptTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly padId: number;
  private readonly eosId: number;

  // Plain fields, not parameter properties: this module also runs type-stripped in the render thread.
  private constructor(tokenizer: Tokenizer, padId: number, eosId: number) {
    this.tokenizer = tokenizer;
    this.padId = padId;
    this.eosId = eosId;
  }

  static async load(tokenizerJsonPath: string, tokenizerConfigPath?: string): Promise<PromptTokenizer> {
    const json = JSON.parse(await readFile(tokenizerJsonPath, 'utf8')) as {
      added_tokens?: { id: number; content: string }[];
    };
    const config = tokenizerConfigPath ? JSON.parse(await readFile(tokenizerConfigPath, 'utf8')) : {};
    const special = new Map((json.added_tokens ?? []).map((token) => [token.content, token.id]));
    const padId = special.get('<pad>');
    const eosId = special.get('</s>');
    if (padId === undefined || eosId === undefined) {
      throw new Error(`${tokenizerJsonPath} is not a T5 tokenizer: it lacks the <pad> or </s> token`);
    }
    return new PromptTokenizer(new Tokenizer(json, config), padId, eosId);
  }

  encode(prompt: string, maxLength: number): TokenizedPrompt {
    const encoded = this.tokenizer.encode(cleanPrompt(prompt), { add_special_tokens: false });
    const body = encoded.ids.slice(0, maxLength - 1);
    const real = [...body, this.eosId];
    const ids = new BigInt64Array(maxLength).fill(BigInt(this.padId));
    const mask = new BigInt64Array(maxLength);
    real.forEach((id, index) => {
      ids[index] = BigInt(id);
      mask[index] = 1n;
    });
    return { ids, mask, length: real.length };
  }
}
