import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the stand-in received, as parsed JSON. */
export interface ModerationCall {
  authorization: string | undefined;
  body: {
    model?: string;
    input:
      | string
      | string[]
      | ({ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } })[];
  };
}

/**
 * A classifier speaking the OpenAI moderation API (`POST /v1/moderations`, from its public
 * reference), as a customer's Llama Guard server would: it flags text containing any of
 * `flagWords` as `violence`, and every image when `flagImages` is set (`sexual`). `delayMs`
 * makes it slow; `stop()` takes it down (connection refused).
 */
export class ModerationStandIn {
  readonly calls: ModerationCall[] = [];
  flagWords: string[] = ['massacre'];
  flagImages = false;
  delayMs = 0;
  private server: Server | null = null;
  private port = 0;
  private readonly pending = new Set<ServerResponse>();

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url !== '/v1/moderations') {
          response.writeHead(404).end();
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ModerationCall['body'];
        this.calls.push({ authorization: request.headers.authorization, body });
        this.pending.add(response);
        setTimeout(() => {
          this.pending.delete(response);
          if (response.destroyed) return;
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify(this.judge(body)));
        }, this.delayMs);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const response of this.pending) response.destroy();
    this.pending.clear();
    const server = this.server;
    this.server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** One result per input (strings) or one for the whole multimodal input, as OpenAI answers. */
  private judge(body: ModerationCall['body']) {
    const parts = typeof body.input === 'string' ? [body.input] : body.input;
    const texts = parts.map((part) =>
      typeof part === 'string' ? part : part.type === 'text' ? part.text : '',
    );
    const images = parts.filter((part) => typeof part !== 'string' && part.type === 'image_url').length;
    const violence = texts.some((text) => this.flagWords.some((word) => text.toLowerCase().includes(word)));
    const sexual = this.flagImages && images > 0;
    return {
      id: `modr-${this.calls.length}`,
      model: body.model ?? 'omni-moderation-latest',
      results: [
        {
          flagged: violence || sexual,
          categories: { violence, sexual, harassment: false },
          category_scores: { violence: violence ? 0.97 : 0.01, sexual: sexual ? 0.92 : 0.0, harassment: 0.0 },
        },
      ],
    };
  }
}
