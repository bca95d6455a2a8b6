import { SseParser } from './sse-parser';

describe(SseParser.name, () => {
  it('should dispatch a named event when a blank line ends it', () => {
    const parser = new SseParser();
    expect(parser.push('event: progress\ndata: {"step":1}\n\n')).toEqual([
      { event: 'progress', data: '{"step":1}', id: null, retry: null },
    ]);
  });

  it('should join data lines and default the name to message when no event field is given', () => {
    const parser = new SseParser();
    expect(parser.push('data: a\ndata: b\n\n')[0]).toMatchObject({ event: 'message', data: 'a\nb' });
  });

  it('should assemble an event when chunks split its lines anywhere', () => {
    const parser = new SseParser();
    expect(parser.push('eve')).toEqual([]);
    expect(parser.push('nt: status\r')).toEqual([]);
    expect(parser.push('\ndata: {"x"')).toEqual([]);
    expect(parser.push(':1}\r\n\r\n')).toEqual([{ event: 'status', data: '{"x":1}', id: null, retry: null }]);
  });

  it('should ignore comments and keep the last id when heartbeats arrive', () => {
    const parser = new SseParser();
    const events = parser.push(': heartbeat\n\nid: 7\nevent: status\ndata: {}\n\n: ping\n\n');
    expect(events).toHaveLength(1);
    expect(parser.lastEventId).toBe('7');
  });

  it('should not dispatch an event when it has no data', () => {
    const parser = new SseParser();
    expect(parser.push('event: status\n\n')).toEqual([]);
  });

  it('should read the reconnection delay when the server sets retry', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 2500\ndata: x\n\n')[0].retry).toBe(2500);
  });
});
