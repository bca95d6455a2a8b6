import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered (0 when it never answered). */
  answered: number;
}

/**
 * A webhook receiver on loopback, as a customer would run one: it records every request and
 * answers as told. `answer` decides per request: a status code, or 'hang' (never answer).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  answer: (index: number) => number | 'hang' = () => 204;
  /** Milliseconds the receiver takes before answering. */
  delayMs = 0;
  /** Requests being answered right now, and the most there ever were at once. */
  inFlight = 0;
  maxInFlight = 0;
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      response.on('close', () => this.inFlight--);
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        const record: ReceivedWebhook = {
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          answered: 0,
        };
        const decision = this.answer(this.received.length);
        this.received.push(record);
        if (decision === 'hang') {
          this.hanging.add(response);
          return;
        }
        record.answered = decision;
        response.writeHead(decision, { 'content-type': 'text/plain' });
        response.end(decision < 300 ? 'thanks' : `receiver says ${decision}`);
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path = '/hooks'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  async close(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
