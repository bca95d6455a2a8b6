import type { QueueReason, QueueStanding, WorkerHeartbeat } from '@cineweave/contracts';

/**
 * Why a queued job of `model` waits, from the workers alive now. A worker that announced itself but
 * is not ready says why (loading weights, waiting for its engine): that reason is passed on, so
 * "starting" is not a guess.
 */
export function queueStandingOf(
  model: string,
  position: number,
  workers: readonly WorkerHeartbeat[],
): QueueStanding {
  const own = workers.filter((worker) => worker.model === model);
  const ready = own.filter((worker) => worker.ready);
  const ahead =
    position === 0 ? 'It is next' : `${position} job${position === 1 ? ' is' : 's are'} ahead of it`;
  let reason: QueueReason;
  let message: string;
  if (ready.length > 0) {
    reason = 'WaitingForWorker';
    message = `${ahead}; ${ready.length} ready worker${ready.length === 1 ? '' : 's'} of ${model} will take it as soon as one is free.`;
  } else if (own.length > 0) {
    reason = 'ScalingUp';
    const why = own.find((worker) => worker.reason)?.reason;
    message = `${ahead}; a worker of ${model} is starting${why ? ` (${why})` : ''}.`;
  } else {
    reason = 'ModelUnavailable';
    message = `${ahead}; no worker of ${model} is running. The job waits for one (a WorkerPool of this model scales up when work waits); it is never given to another model's worker.`;
  }
  return { position, reason, message };
}
