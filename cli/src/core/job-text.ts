import type { JobView } from '@cineweave/contracts';
import type { FinalJobEvent } from './job-events.ts';
import type { Output } from './output.ts';

/** Human descriptions of jobs; `--json` prints the API's objects instead. */

export function statusWord(output: Output, status: JobView['status']): string {
  const style =
    status === 'succeeded'
      ? 'green'
      : status === 'failed'
        ? 'red'
        : status === 'expired' || status === 'cancelled'
          ? 'dim'
          : 'yellow';
  return output.paint(style, status);
}

export function describeJob(output: Output, job: JobView): string {
  const rows: [string, string][] = [
    ['prompt', job.prompt],
    ...(job.negativePrompt ? [['negative', job.negativePrompt] as [string, string]] : []),
    ['model', job.model],
    [
      'video',
      `${job.resolution} · ${job.durationSeconds} s at ${job.fps} fps · ${job.steps} steps · guidance ${job.guidanceScale} · seed ${job.seed}`,
    ],
    ...(job.imageUploadId ? [['image', `upload ${job.imageUploadId}`] as [string, string]] : []),
    ['progress', `${Math.floor(job.progress)}%`],
    [
      'credits',
      `${job.creditsReserved} reserved${job.creditsCharged === null ? '' : `, ${job.creditsCharged} charged`}`,
    ],
    ['created', job.createdAt],
    ...(job.startedAt ? [['started', job.startedAt] as [string, string]] : []),
    ...(job.finishedAt ? [['finished', job.finishedAt] as [string, string]] : []),
    ...(job.gpuSeconds === null ? [] : [['GPU time', `${job.gpuSeconds.toFixed(1)} s`] as [string, string]]),
    ...(job.failureReason ? [['reason', job.failureReason] as [string, string]] : []),
    ...(job.status === 'succeeded'
      ? [
          [
            'output',
            `cineweave download ${job.id}${job.outputExpiresAt ? ` (until ${job.outputExpiresAt})` : ''}`,
          ] as [string, string],
        ]
      : []),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    `Job ${job.id}  ${statusWord(output, job.status)}`,
    ...rows.map(([name, value]) => `  ${output.paint('dim', name.padEnd(width))}  ${value}`),
  ].join('\n');
}

export function describeOutcome(job: JobView, final: FinalJobEvent): string {
  if (final.type === 'completed') {
    const gpu = job.gpuSeconds === null ? '' : `, ${job.gpuSeconds.toFixed(1)} GPU-seconds`;
    return `Job ${job.id} succeeded: ${final.data.creditsCharged} credits charged${gpu}.`;
  }
  const released = final.data.creditsReleased ? ` ${final.data.creditsReleased} credits released.` : '';
  return `Job ${job.id} ${final.data.status}: ${final.data.reason}${released}`;
}

export function jobTable(output: Output, jobs: JobView[]): string {
  const header = ['ID', 'STATUS', 'PROGRESS', 'SIZE', 'LENGTH', 'CREATED', 'PROMPT'];
  const rows = jobs.map((job) => [
    job.id,
    job.status,
    `${Math.floor(job.progress)}%`,
    job.resolution,
    `${job.durationSeconds}s`,
    job.createdAt.slice(0, 19).replace('T', ' '),
    job.prompt.replace(/\s+/g, ' ').slice(0, 40) + (job.prompt.length > 40 ? '…' : ''),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const format = (row: string[], paintStatus: boolean) =>
    row
      .map((cell, column) => {
        const padded = column === row.length - 1 ? cell : cell.padEnd(widths[column]);
        return paintStatus && column === 1
          ? padded.replace(cell, statusWord(output, cell as JobView['status']))
          : padded;
      })
      .join('  ')
      .trimEnd();
  return [output.paint('dim', format(header, false)), ...rows.map((row) => format(row, true))].join('\n');
}
