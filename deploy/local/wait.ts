/** Polls a URL until it answers 200, the process it belongs to dies, or time runs out. */
export async function waitForHttpOk(
  url: string,
  { timeoutMs, gaveUp }: { timeoutMs: number; gaveUp: Promise<unknown> },
): Promise<void> {
  let stopped = false;
  void gaveUp.then(() => (stopped = true));
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (!stopped && Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      lastProblem = `HTTP ${response.status}`;
    } catch (error) {
      lastProblem = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    stopped
      ? `${url}: the process exited before it was ready`
      : `${url}: not ready after ${timeoutMs / 1000} s (${lastProblem})`,
  );
}
