/**
 * A small umT5-shaped tokenizer.json (SentencePiece unigram, Metaspace, `</s>` appended) for the
 * tiny test model, whose embedding table has only `vocabSize` rows. Real models ship Google's
 * umT5 tokenizer; this one only has to turn English prompts into valid, deterministic ids.
 */
const WORDS =
  'a an the of and in on at to with from by for is are was be as it its this that over under into ' +
  'red orange yellow green blue purple pink black white gold silver dark light bright soft golden ' +
  'cat dog fox bird fish horse lion tiger bear wolf deer owl whale dragon robot person man woman child ' +
  'sea ocean river lake mountain forest tree flower garden city street road bridge tower castle house ' +
  'sky sun moon star cloud rain snow storm fire water wind light shadow night day dusk dawn sunset ' +
  'walks runs flies swims jumps dances turns looks slowly quickly gently camera pan zoom close shot ' +
  'cinematic film video scene style detailed realistic beautiful epic colorful motion blur blurry ' +
  'low quality worst static still frame lighthouse waves beach desert space planet neon rainy';

export function tinyTokenizerJson(vocabSize: number): Record<string, unknown> {
  const specials = ['<pad>', '</s>', '<unk>'];
  const pieces: [string, number][] = specials.map((token) => [token, 0]);
  const seen = new Set<string>(specials);
  const add = (piece: string, score: number) => {
    if (pieces.length < vocabSize && !seen.has(piece)) {
      seen.add(piece);
      pieces.push([piece, score]);
    }
  };
  add('▁', -2);
  // Characters first, so that every prompt of these characters can be spelled out...
  for (const char of 'abcdefghijklmnopqrstuvwxyz0123456789.,!?\'"-:;()') {
    add(char, -8);
    add(`▁${char}`, -7);
  }
  // ...then whole words, which the unigram model prefers because they score higher than their letters.
  for (const word of WORDS.split(/\s+/)) add(`▁${word}`, -3 - word.length / 100);
  for (let filler = 0; pieces.length < vocabSize; filler += 1) add(`▁tok${filler}`, -12);
  if (pieces.length !== vocabSize) throw new Error(`A tiny tokenizer needs at least ${seen.size} pieces`);

  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, id) => special(id, content)),
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'Lowercase' }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }],
    },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '</s>', type_id: 0 } }],
      pair: [
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 0 } },
        { SpecialToken: { id: '</s>', type_id: 0 } },
      ],
      special_tokens: { '</s>': { id: '</s>', ids: [1], tokens: ['</s>'] } },
    },
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 2, vocab: pieces, byte_fallback: false },
  };
}

export function tinyTokenizerConfig(): Record<string, unknown> {
  return {
    model_max_length: 512,
    pad_token: '<pad>',
    eos_token: '</s>',
    unk_token: '<unk>',
    tokenizer_class: 'T5Tokenizer',
  };
}
