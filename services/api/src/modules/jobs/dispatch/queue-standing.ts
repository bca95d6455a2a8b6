import type { QueueReason, QueueStanding, WorkerHeartbeat } from '@cineweave/contracts';

/** A waiting job's place in its model's queue: jobs ahead, its own team's among them, other teams. */
export interface QueuePlace {
  position: number;
  teamJobsAhead: number;
  teamsAhead: number;
}

/**
 * Why a queued job of `model` waits, from its place in the fair order and the workers alive now. A worker that announced itself but
 * is not ready says why (loading weights, waiting for its engine): that reason is passed on, so
 * "starting" is not a guess. With ready workers, the estimate counts the rounds they need for the
 * jobs ahead and this one, at `renderSeconds` a job (an estimate, and said to be one).
 */
export function queueStandingOf(
  model: string,
  place: QueuePlace,
  workers: readonly WorkerHeartbeat[],
  renderSeconds: number,
): QueueStanding {
  const own = workers.filter((worker) => worker.model === model);
  const ready = own.filter((worker) => worker.ready);
  const { position, teamJobsAhead, teamsAhead } = place;
  const ahead =
    position === 0
      ? 'It is next'
      : `${position} job${position === 1 ? ' is' : 's are'} ahead of it${whose(place)}`;
  let reason: QueueReason;
  let message: string;
  let etaSeconds: number | null = null;
  if (ready.length > 0) {
    reason = 'WaitingForWorker';
    etaSeconds = Math.round((Math.floor(position / ready.length) + 1) * renderSeconds);
    message = `${ahead}; ${ready.length} ready worker${ready.length === 1 ? '' : 's'} of ${model} will take it as soon as one is free. Done in about ${durationText(etaSeconds)} (estimated from recent jobs).`;
  } else if (own.length > 0) {
    reason = 'ScalingUp';
    const why = own.find((worker) => worker.reason)?.reason;
    message = `${ahead}; a worker of ${model} is starting${why ? ` (${why})` : ''}.`;
  } else {
    reason = 'ModelUnavailable';
    message = `${ahead}; no worker of ${model} is running. The job waits for one (a WorkerPool of this model scales up when work waits); it is never given to another model's worker.`;
  }
  return { position, teamJobsAhead, teamsAhead, reason, message, etaSeconds };
}

/** " (2 of your team's, 3 of 2 other teams)": whose jobs are ahead, never which teams. */
function whose({ position, teamJobsAhead, teamsAhead }: QueuePlace): string {
  const others = position - teamJobsAhead;
  const parts: string[] = [];
  if (teamJobsAhead > 0) parts.push(`${teamJobsAhead} of your team's`);
  if (others > 0) parts.push(`${others} of ${teamsAhead} other team${teamsAhead === 1 ? '' : 's'}`);
  return ` (${parts.join(', ')})`;
}

/** "45 s", "4 min", "2 h 5 min": as precise as an estimate deserves. */
export function durationText(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
