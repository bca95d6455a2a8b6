import {
  CreateJobRequestSchema,
  JOB_LIMITS,
  JobViewSchema,
  RENDER_PRESETS,
  RESOLUTIONS,
  fieldErrors,
  type CreateJobRequest,
  UploadViewSchema,
} from '@cineweave/contracts';
import { openAsBlob } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import { decimal, uploadId, wholeNumber } from '../core/arguments.ts';
import { usageError } from '../core/cli-error.ts';
import type { CliCommand, CommandContext } from '../core/command.ts';
import { ExitCode } from '../core/exit-codes.ts';
import { describeJob } from '../core/job-text.ts';
import { finishWaiting } from '../core/wait.ts';

interface CreateOptions {
  negativePrompt?: string;
  image?: string;
  imageUploadId?: string;
  resolution?: string;
  duration?: number;
  fps?: number;
  seed?: number;
  steps?: number;
  guidanceScale?: number;
  model?: string;
  preset?: string;
  idempotencyKey?: string;
  wait?: boolean;
  output?: string;
}

export const createCommand: CliCommand<CreateOptions> = {
  name: 'create',
  define: (command: Command) =>
    command
      .description('Create a video from a prompt (and an image), optionally wait for it and save it.')
      .argument('<prompt>', `what the video shows (at most ${JOB_LIMITS.promptMaxLength} characters)`)
      .option('--negative-prompt <text>', 'what the video should not show')
      .addOption(
        new Option(
          '--image <file>',
          'start from this image (PNG, JPEG or WebP, ≤ 10 MB): uploaded first',
        ).conflicts('imageUploadId'),
      )
      .option('--image-upload-id <id>', 'start from an image uploaded before', uploadId)
      .addOption(
        new Option('--resolution <size>', "width x height (default: the model's)").choices(RESOLUTIONS),
      )
      .option(
        '--duration <seconds>',
        `length, ${JOB_LIMITS.durationSeconds.min}-${JOB_LIMITS.durationSeconds.max} s (default: the model's)`,
        wholeNumber,
      )
      .option(
        '--fps <n>',
        `frames per second, ${JOB_LIMITS.fps.min}-${JOB_LIMITS.fps.max} (default: the model's)`,
        wholeNumber,
      )
      .option(
        '--seed <n>',
        `random seed, ${JOB_LIMITS.seed.min}-${JOB_LIMITS.seed.max} (default: random)`,
        wholeNumber,
      )
      .option(
        '--steps <n>',
        `denoising steps, ${JOB_LIMITS.steps.min}-${JOB_LIMITS.steps.max} (default: the model's)`,
        wholeNumber,
      )
      .option(
        '--guidance-scale <x>',
        `prompt guidance, ${JOB_LIMITS.guidanceScale.min}-${JOB_LIMITS.guidanceScale.max} (default: the model's)`,
        decimal,
      )
      .option('--model <id>', "model id of the installation's catalog (default: the installation's)")
      .addOption(
        new Option(
          '--preset <name>',
          "quality, balanced (step caching) or fast (a distilled model) (default: the model's first)",
        ).choices(RENDER_PRESETS),
      )
      .option('--idempotency-key <key>', 'repeat-safe submission: the same key and request create one job')
      .option('-w, --wait', 'wait for the job to finish, showing its progress')
      .option('-o, --output <file>', 'save the MP4 there once done (implies --wait; "-" for stdout)'),

  async run(context, [prompt], options) {
    const request = await checkedRequest(prompt, options);
    if (options.image) request.imageUploadId = await upload(context, options.image);

    const answer = await context.client.post('/v1/jobs', JobViewSchema, {
      json: request,
      headers: options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {},
    });
    const job = answer.data;
    const replayed = answer.response.headers.get('idempotent-replayed') === 'true';
    const wait = options.wait || options.output !== undefined;
    if (!wait) {
      context.output.result(answer.body, () =>
        [
          replayed
            ? `Job ${job.id} was created before with this idempotency key:`
            : `Created job ${job.id} (${job.creditsReserved} credits reserved).`,
          ...(replayed ? [describeJob(context.output, job)] : []),
          `Follow it with: cineweave watch ${job.id}`,
        ].join('\n'),
      );
      return ExitCode.Ok;
    }
    context.output.note(
      replayed
        ? `Job ${job.id} was created before with this idempotency key; following it.`
        : `Created job ${job.id} (${job.creditsReserved} credits reserved).`,
    );
    return finishWaiting(context, job, { outputFile: options.output });
  },
};

/**
 * The request as the API would read it, checked here with the API's own schema, so a mistake is
 * reported before an image is uploaded. Only what was given is sent: the API fills its defaults.
 */
async function checkedRequest(prompt: string, options: CreateOptions): Promise<CreateJobRequest> {
  const request: Record<string, unknown> = {
    prompt,
    negativePrompt: options.negativePrompt,
    imageUploadId: options.imageUploadId,
    resolution: options.resolution,
    durationSeconds: options.duration,
    fps: options.fps,
    seed: options.seed,
    steps: options.steps,
    guidanceScale: options.guidanceScale,
    model: options.model,
    preset: options.preset,
  };
  for (const key of Object.keys(request)) if (request[key] === undefined) delete request[key];
  const checked = CreateJobRequestSchema.safeParse(request);
  if (!checked.success) {
    throw usageError(
      'The job parameters are not valid.',
      '`cineweave create --help` lists every option with its limits.',
      fieldErrors(checked.error.issues).map((error) => ({
        ...error,
        field: OPTION_OF[error.field] ?? error.field,
      })),
    );
  }
  if (options.image) {
    const file = await stat(options.image).catch(() => null);
    if (!file?.isFile()) throw usageError(`--image ${options.image}: no such file.`);
  }
  return request as CreateJobRequest;
}

/** Field errors named by the option a person typed, not the API's field. */
const OPTION_OF: Record<string, string> = {
  prompt: 'prompt',
  negativePrompt: '--negative-prompt',
  imageUploadId: '--image-upload-id',
  resolution: '--resolution',
  durationSeconds: '--duration',
  fps: '--fps',
  seed: '--seed',
  steps: '--steps',
  guidanceScale: '--guidance-scale',
  model: '--model',
  preset: '--preset',
};

/** `POST /v1/uploads`, multipart field `file`, streamed from disk. */
async function upload(context: CommandContext, path: string): Promise<string> {
  const form = new FormData();
  form.append('file', await openAsBlob(path), basename(path));
  const { data } = await context.client.post('/v1/uploads', UploadViewSchema, {
    form,
    timeoutMs: 5 * 60_000,
  });
  context.output.note(`Uploaded ${basename(path)} (${data.width}×${data.height}) as upload ${data.id}.`);
  return data.id;
}
