/** What a provider is asked about: texts (prompt, negative prompt) and images (data URLs). */
export interface ModerationInput {
  texts: string[];
  images: { dataUrl: string }[];
}

/** A provider's answer: flagged or not, and for which policy categories. */
export interface ModerationVerdict {
  flagged: boolean;
  categories: string[];
}

/**
 * One way of judging content. Providers are consulted in order; the first that flags decides.
 * A provider that cannot answer (down, slow, nonsense) throws `ModerationUnavailableError`, and
 * the policy's fail mode decides what that means.
 */
export interface ModerationProvider {
  readonly name: string;
  /** Whether this provider can judge images at all (the term list cannot). */
  readonly judgesImages: boolean;
  classify(input: ModerationInput): Promise<ModerationVerdict>;
}

export class ModerationUnavailableError extends Error {
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(message);
    this.name = 'ModerationUnavailableError';
  }
}
