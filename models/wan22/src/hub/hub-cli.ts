import { HubClient } from './hub-client.ts';
import { LogProgress, TerminalProgress, type PullProgress } from './pull-progress.ts';

/** The hub as the environment names it: HF_ENDPOINT (mirror, proxy) and HF_TOKEN, as huggingface_hub reads them. */
export function hubClientFromEnv(env: NodeJS.ProcessEnv): HubClient {
  return new HubClient({ endpoint: env['HF_ENDPOINT'] || undefined, token: env['HF_TOKEN'] || undefined });
}

/** A bar on a terminal, plain lines in a log (a Kubernetes Job's output is a log). */
export function progressFor(
  stream: { isTTY?: boolean; write(text: string): unknown; columns?: number },
  log: (line: string) => void,
): PullProgress {
  return stream.isTTY ? new TerminalProgress(stream) : new LogProgress(log);
}
