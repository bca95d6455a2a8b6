import type { JobStatusEvent, JobView, QueueStanding } from '@cineweave/contracts';
import type { JobEvent } from '../core/events/job-event-stream';

/** A job as last seen (the API's `JobView`), plus what only the event stream tells. */
export interface LiveJob extends JobView {
  queuePosition?: number | null;
  creditsReleased?: number | null;
  message?: string | null;
  step?: number | null;
  totalSteps?: number | null;
  etaSeconds?: number | null;
}

/** Folds one server-sent event into the job the page shows. */
export function applyJobEvent(job: LiveJob, event: JobEvent): LiveJob {
  switch (event.type) {
    case 'status':
      return {
        ...job,
        status: event.data.status,
        queuePosition: event.data.queuePosition,
        message: event.data.message ?? job.message,
        queue: queueStandingOf(event.data) ?? (event.data.status === 'queued' ? job.queue : undefined),
      };
    case 'progress':
      return {
        ...job,
        // Progress only flows while a worker renders the job.
        status: 'running',
        step: event.data.step,
        totalSteps: event.data.totalSteps,
        progress: event.data.percent,
        // A worker older than stage-aware progress sends none.
        stage: event.data.stage ?? null,
        etaSeconds: event.data.etaSeconds,
        queuePosition: event.data.queuePosition,
      };
    case 'completed':
      return {
        ...job,
        status: 'succeeded',
        progress: 100,
        stage: null,
        etaSeconds: null,
        queuePosition: null,
        creditsCharged: event.data.creditsCharged,
        videoUrl: event.data.videoUrl,
        thumbnailUrl: event.data.thumbnailUrl,
      };
    case 'failed':
      return {
        ...job,
        status: event.data.status,
        stage: null,
        etaSeconds: null,
        queuePosition: null,
        failureReason: event.data.reason,
        creditsReleased: event.data.creditsReleased,
      };
  }
}

/** A queued job's standing, when the status event says why it waits (an older API says nothing). */
function queueStandingOf(data: JobStatusEvent): QueueStanding | undefined {
  if (data.status !== 'queued' || !data.queueReason) return undefined;
  return {
    position: data.queuePosition ?? 0,
    ...(data.queueTeamJobsAhead !== undefined && { teamJobsAhead: data.queueTeamJobsAhead }),
    ...(data.queueTeamsAhead !== undefined && { teamsAhead: data.queueTeamsAhead }),
    reason: data.queueReason,
    message: data.message ?? '',
    etaSeconds: data.queueEtaSeconds ?? null,
  };
}
