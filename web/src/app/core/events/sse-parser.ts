/** One server-sent event, as the EventSource spec dispatches it. */
export interface ServerSentEvent {
  event: string;
  data: string;
  id: string | null;
  retry: number | null;
}

/**
 * Incremental parser for `text/event-stream` (WHATWG HTML, "event stream interpretation").
 * Fed decoded chunks as they arrive; chunk boundaries may fall anywhere, even inside a line.
 */
export class SseParser {
  private buffer = '';
  private dataLines: string[] = [];
  private eventName = '';
  private lastId: string | null = null;
  private retryMs: number | null = null;

  /** The reconnection delay the server asked for (`retry:`), if any. */
  get retry(): number | null {
    return this.retryMs;
  }

  /** The last `id:` seen, to resume with `Last-Event-ID` after a reconnect. */
  get lastEventId(): string | null {
    return this.lastId;
  }

  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk;
    const events: ServerSentEvent[] = [];
    let newline: RegExpExecArray | null;
    const lineEnd = /\r\n|\r|\n/g;
    let consumed = 0;
    while ((newline = lineEnd.exec(this.buffer)) !== null) {
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (newline[0] === '\r' && newline.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(consumed, newline.index);
      consumed = newline.index + newline[0].length;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(consumed);
    return events;
  }

  private line(line: string): ServerSentEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventName = value;
        break;
      case 'data':
        this.dataLines.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
    return null;
  }

  private dispatch(): ServerSentEvent | null {
    if (this.dataLines.length === 0) {
      this.eventName = '';
      return null;
    }
    const event: ServerSentEvent = {
      event: this.eventName || 'message',
      data: this.dataLines.join('\n'),
      id: this.lastId,
      retry: this.retryMs,
    };
    this.dataLines = [];
    this.eventName = '';
    return event;
  }
}
