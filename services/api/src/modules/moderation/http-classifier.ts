import {
  type ModerationInputPart,
  type ModerationRequest,
  ModerationResponseSchema,
} from '@cineweave/contracts';
import {
  type ModerationInput,
  type ModerationProvider,
  type ModerationVerdict,
  ModerationUnavailableError,
} from './moderation-provider.ts';

export interface HttpClassifierOptions {
  /** Base URL; the request goes to `{baseUrl}/v1/moderations`. */
  baseUrl: string;
  token?: string;
  model?: string;
  timeoutMs: number;
}

/**
 * An external classifier speaking the OpenAI moderation API (`POST /v1/moderations`): texts and
 * images go in one multimodal input (`text` and `image_url` parts, images as data URLs); the
 * input is flagged when any result is, for the union of the categories set to true.
 */
export class HttpClassifierProvider implements ModerationProvider {
  readonly name = 'classifier';
  readonly judgesImages = true;

  constructor(private readonly options: HttpClassifierOptions) {}

  async classify(input: ModerationInput): Promise<ModerationVerdict> {
    const parts: ModerationInputPart[] = [
      ...input.texts.map((text) => ({ type: 'text' as const, text })),
      ...input.images.map((image) => ({ type: 'image_url' as const, image_url: { url: image.dataUrl } })),
    ];
    if (parts.length === 0) return { flagged: false, categories: [] };
    const body: ModerationRequest = {
      ...(this.options.model ? { model: this.options.model } : {}),
      input: parts,
    };
    const url = new URL('v1/moderations', this.options.baseUrl.replace(/\/?$/, '/'));
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const timedOut = (error as Error).name === 'TimeoutError';
      throw new ModerationUnavailableError(
        this.name,
        timedOut
          ? `the classifier did not answer within ${this.options.timeoutMs} ms`
          : `the classifier could not be reached (${(error as Error).message})`,
      );
    }
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new ModerationUnavailableError(
        this.name,
        `the classifier answered ${response.status} without JSON`,
      );
    }
    if (!response.ok) {
      throw new ModerationUnavailableError(this.name, `the classifier answered ${response.status}`);
    }
    const parsed = ModerationResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new ModerationUnavailableError(this.name, 'the classifier answered in an unknown shape');
    }
    const categories = new Set<string>();
    let flagged = false;
    for (const result of parsed.data.results) {
      flagged ||= result.flagged;
      for (const [category, set] of Object.entries(result.categories)) if (set) categories.add(category);
    }
    return { flagged, categories: flagged ? [...categories] : [] };
  }
}
