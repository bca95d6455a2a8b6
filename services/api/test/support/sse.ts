import http from 'node:http';

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** A minimal SSE client over node:http that collects events until the server ends the stream. */
export function openSse(url: string, authorization: string) {
  const events: SseEvent[] = [];
  let status = 0;
  let request: http.ClientRequest;
  const done = new Promise<SseEvent[]>((resolve, reject) => {
    request = http.get(
      url,
      { headers: { Authorization: authorization, Accept: 'text/event-stream' } },
      (response) => {
        status = response.statusCode ?? 0;
        response.setEncoding('utf8');
        let buffer = '';
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let index;
          while ((index = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, index);
            buffer = buffer.slice(index + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event && data) events.push({ event, data: JSON.parse(data) as Record<string, unknown> });
          }
        });
        response.on('end', () => resolve(events));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
  });
  return {
    events,
    done,
    status: () => status,
    // Closing on purpose ends `done` with "aborted": nobody needs to hear of it.
    close: () => {
      done.catch(() => undefined);
      request.destroy();
    },
  };
}
