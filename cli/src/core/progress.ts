import { JOB_STAGE_LABELS, type JobStage, type JobStatus, type JobView } from '@cineweave/contracts';
import cliProgress from 'cli-progress';
import type { JobEvent } from './job-events.ts';
import type { Output } from './output.ts';

/** What is known of a running job, from its view and then from its events. */
export interface ProgressState {
  jobId: string;
  status: JobStatus;
  queuePosition: number | null;
  step: number;
  totalSteps: number;
  percent: number;
  etaSeconds: number | null;
  /** What the worker reported doing last (denoise, decode, encode, sign, upload ...). */
  stage: JobStage | null;
  /** Why nothing moves for now (the stream is reconnecting), shown in place of the stage. */
  notice: string | null;
}

export function initialState(job: JobView): ProgressState {
  return {
    jobId: job.id,
    status: job.status,
    queuePosition: null,
    step: 0,
    totalSteps: job.steps,
    percent: job.progress,
    etaSeconds: null,
    stage: job.stage ?? null,
    notice: null,
  };
}

export function applyEvent(state: ProgressState, event: JobEvent): ProgressState {
  const next = { ...state, notice: null };
  switch (event.type) {
    case 'status':
      return { ...next, status: event.data.status, queuePosition: event.data.queuePosition };
    case 'progress':
      return {
        ...next,
        status: 'running',
        queuePosition: null,
        step: event.data.step,
        totalSteps: event.data.totalSteps,
        percent: event.data.percent,
        etaSeconds: event.data.etaSeconds,
        // A worker older than stage-aware progress sends none.
        stage: event.data.stage ?? null,
      };
    case 'completed':
      return {
        ...next,
        status: 'succeeded',
        percent: 100,
        step: next.totalSteps,
        etaSeconds: 0,
        stage: null,
      };
    case 'failed':
      return { ...next, status: event.data.status, etaSeconds: null, stage: null };
  }
}

/**
 * Where the job is, in words: the stage the worker reports ("denoising", "decoding", "encoding",
 * "signing", "uploading"). Before its first report it loads inputs and encodes the prompt
 * ("starting"); a worker older than stage-aware progress reports steps only, and after its last
 * step the job is "finishing".
 */
export function stageOf(state: ProgressState): string {
  if (state.notice) return state.notice;
  switch (state.status) {
    case 'queued':
      if (state.queuePosition === null) return 'queued';
      return state.queuePosition === 0 ? 'queued, next in line' : `queued, ${state.queuePosition} ahead`;
    case 'running':
      if (state.stage) return JOB_STAGE_LABELS[state.stage].toLowerCase();
      if (state.step === 0) return 'starting';
      return state.step >= state.totalSteps ? 'finishing' : 'denoising';
    default:
      return state.status;
  }
}

/** `1:05`, `12:00`, `1:02:03`; `--` while unknown. */
export function formatEta(seconds: number | null): string {
  if (seconds === null) return '--';
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The plain progress line written where no bar can be drawn. */
export function progressLine(state: ProgressState): string {
  const id = state.jobId.slice(0, 8);
  if (state.status === 'queued' || state.notice) return `${id} ${stageOf(state)}`;
  return `${id} step ${state.step}/${state.totalSteps} (${Math.floor(state.percent)}%) · ${stageOf(state)} · ETA ${formatEta(state.etaSeconds)}`;
}

export interface ProgressView {
  show(state: ProgressState): void;
  stop(): void;
}

/** A live bar on a terminal, plain lines (on stderr) elsewhere, nothing under --json. */
export function progressView(output: Output): ProgressView {
  if (output.json) return { show: () => undefined, stop: () => undefined };
  return output.interactive ? new BarView(output.stderr) : new LineView(output.stderr);
}

class BarView implements ProgressView {
  private readonly bar: cliProgress.SingleBar;
  private started = false;

  constructor(stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar({
      stream,
      format: '{bar} {percentage}% · step {step}/{totalSteps} · {stage} · ETA {etaText}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      barsize: 24,
      hideCursor: true,
      // Cut to the terminal's width rather than wrap onto a second line that is never cleared.
      linewrap: false,
      fps: 10,
    });
  }

  show(state: ProgressState): void {
    const payload = {
      step: state.step,
      totalSteps: state.totalSteps,
      stage: stageOf(state),
      etaText: formatEta(state.etaSeconds),
    };
    if (!this.started) {
      this.bar.start(100, state.percent, payload);
      this.started = true;
    } else {
      this.bar.update(state.percent, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
    this.started = false;
  }
}

class LineView implements ProgressView {
  private last = '';
  private readonly stream: NodeJS.WriteStream;

  constructor(stream: NodeJS.WriteStream) {
    this.stream = stream;
  }

  show(state: ProgressState): void {
    const line = progressLine(state);
    // An ETA that only ticks is not news: a new line for each step, stage or status.
    const key = line.replace(/ · ETA .*$/, '');
    if (key === this.last) return;
    this.last = key;
    this.stream.write(`${line}\n`);
  }

  stop(): void {
    // Lines written stay written: nothing to clear.
  }
}
