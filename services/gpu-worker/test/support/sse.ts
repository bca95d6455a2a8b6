export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Reads an SSE stream with fetch, collecting events until the server ends it or `until` is seen. */
export async function collectEvents(
  url: string,
  authorization: string,
  until: (event: SseEvent) => boolean,
  timeoutMs: number,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const response = await fetch(url, {
    headers: { Authorization: authorization, Accept: 'text/event-stream' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok || !response.body) throw new Error(`SSE ${url} answered ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let index: number;
    while ((index = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, index);
      buffer = buffer.slice(index + 2);
      const event = /^event: ?(.*)$/m.exec(block)?.[1];
      const data = /^data: ?(.*)$/m.exec(block)?.[1];
      if (!event || !data) continue;
      const parsed = { event, data: JSON.parse(data) as Record<string, unknown> };
      events.push(parsed);
      // Leaving the for-await loop cancels the stream (the iterator's return()).
      if (until(parsed)) return events;
    }
  }
  return events;
}
