const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] === '#') {
      const codePoint =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

/**
 * The prompt clean-up Wan's umT5 tokenizer applies before tokenizing (`clean='whitespace'`):
 * HTML entities unescaped twice (prompts pasted from web pages arrive double-escaped), then
 * every run of whitespace collapsed to one space and the ends trimmed. The official code also
 * runs ftfy's mojibake repair first; our prompts arrive as validated UTF-8 JSON, which is what
 * that repair exists for, so it is left out.
 */
export function cleanPrompt(text: string): string {
  return unescapeHtml(unescapeHtml(text.normalize('NFC')))
    .replace(/\s+/gu, ' ')
    .trim();
}
