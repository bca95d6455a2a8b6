/**
 * The handler of each job name `queue` carries, checked before a consumer starts: every name the
 * contract lists for the queue (`QUEUE_JOB_NAMES`) needs exactly one handler, and a handler for a
 * name the queue does not carry is a mistake too (nothing would ever call it).
 */
export function jobHandlers<Handler>(
  queue: string,
  names: readonly string[],
  handlers: readonly (readonly [name: string, handler: Handler])[],
): ReadonlyMap<string, Handler> {
  const byName = new Map<string, Handler>();
  const problems: string[] = [];
  for (const [name, handler] of handlers) {
    if (byName.has(name)) problems.push(`two handlers claim job "${name}"`);
    else if (!names.includes(name))
      problems.push(`a handler claims job "${name}", which the queue does not carry`);
    byName.set(name, handler);
  }
  for (const name of names) if (!byName.has(name)) problems.push(`no handler for job "${name}"`);
  if (problems.length > 0) throw new Error(`Queue ${queue}: ${problems.join('; ')}`);
  return byName;
}
