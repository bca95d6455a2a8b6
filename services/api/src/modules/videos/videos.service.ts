import { Injectable } from '@nestjs/common';
import {
  CreateJobRequestSchema,
  fieldErrors,
  isActiveStatus,
  type JobParameters,
  type OpenAiVideo,
  type OpenAiVideoCreateRequestSchema,
  type OpenAiVideoList,
} from '@cineweave/contracts';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { Principal } from '../../core/auth/principal.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { encodeCursor } from '../../core/http/cursor.ts';
import { StorageService } from '../../core/storage/storage.service.ts';
import { type Account, AccountsService } from '../accounts/accounts.service.ts';
import { JobSubmissionService, type SubmitAnswer } from '../jobs/admission/job-submission.service.ts';
import { JobsService } from '../jobs/jobs.service.ts';
import { RetentionService } from '../retention/retention.service.ts';
import { UploadsService } from '../uploads/uploads.service.ts';
import { toOpenAiVideo } from './openai-video.ts';

type CreateVideo = z.output<typeof OpenAiVideoCreateRequestSchema>;

const DATA_URL = /^data:image\/[\w.+-]+;base64,([A-Za-z0-9+/=\s]+)$/;

/**
 * `/v1/videos`, OpenAI's videos API over CineWeave's jobs: every call lands in the same admission,
 * credits, idempotency, limits, cancel and retention as `/v1/jobs`. Nothing here renders or charges.
 */
@Injectable()
export class VideosService {
  constructor(
    private readonly submission: JobSubmissionService,
    private readonly jobs: JobsService,
    private readonly accounts: AccountsService,
    private readonly uploads: UploadsService,
    private readonly retention: RetentionService,
    private readonly storage: StorageService,
  ) {}

  /** Charged to `team` (the route checked the caller is a member or above). */
  async create(
    principal: Principal,
    team: Account,
    request: CreateVideo,
    image: Buffer | undefined,
    fingerprint: unknown,
    idempotencyKey: string | undefined,
  ): Promise<SubmitAnswer> {
    if (image && request.input_reference) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'Send the image either as the file input_reference or as input_reference.image_url/file_id, not both.',
        [{ field: 'input_reference', message: 'is given twice' }],
      );
    }
    const imageUploadId = await this.imageUpload(team, request, image);
    const parsed = CreateJobRequestSchema.safeParse({
      prompt: request.prompt,
      ...(request.negative_prompt !== undefined ? { negativePrompt: request.negative_prompt } : {}),
      ...(imageUploadId !== undefined ? { imageUploadId } : {}),
      ...(request.size !== undefined ? { resolution: request.size } : {}),
      ...(request.seconds !== undefined ? { durationSeconds: request.seconds } : {}),
      ...(request.fps !== undefined ? { fps: request.fps } : {}),
      ...(request.seed !== undefined ? { seed: request.seed } : {}),
      ...(request.steps !== undefined ? { steps: request.steps } : {}),
      ...(request.guidance_scale !== undefined ? { guidanceScale: request.guidance_scale } : {}),
      ...(request.model !== undefined ? { model: request.model } : {}),
    });
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error.issues);
      throw new DomainError(
        'VALIDATION_FAILED',
        errors.map((e) => `${e.field}: ${e.message}`).join('; '),
        errors,
      );
    }
    const params: JobParameters = parsed.data;
    const answer = await this.submission.submit(
      principal,
      team,
      params,
      { route: 'POST /v1/videos', request: fingerprint },
      idempotencyKey,
    );
    return answer.status < 300 ? { ...answer, body: toOpenAiVideo(answer.body as never) } : answer;
  }

  async get(account: Account, id: string): Promise<OpenAiVideo> {
    return toOpenAiVideo(this.jobs.view(await this.jobs.get(id, { accountId: account.id })));
  }

  /** Newest first; `after` names the last video of the previous page, as OpenAI's cursor does. */
  async list(account: Account, query: { after?: string; limit: number }): Promise<OpenAiVideoList> {
    let cursor: string | undefined;
    if (query.after) {
      const after = await this.jobs.get(query.after, { accountId: account.id });
      cursor = encodeCursor([after.createdAt.toISOString(), after.id]);
    }
    const page = await this.jobs.list({ accountId: account.id }, { cursor, limit: query.limit });
    const data = page.items.map(toOpenAiVideo);
    return {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
      has_more: page.nextCursor !== null,
    };
  }

  /** The MP4 (or WebP thumbnail) bytes themselves, as OpenAI answers `/content`. */
  async content(
    account: Account,
    id: string,
    variant: 'video' | 'thumbnail',
  ): Promise<{ body: Readable; size: number; contentType: string }> {
    const job = await this.jobs.get(id, { accountId: account.id });
    // Same checks and messages as the job's own links (410 once retention deleted the outputs).
    await this.jobs.outputUrl(id, { accountId: account.id }, variant);
    const key = variant === 'video' ? job.videoKey! : job.thumbnailKey!;
    const object = await this.storage.read(key);
    return {
      ...object,
      contentType: object.contentType ?? (variant === 'video' ? 'video/mp4' : 'image/webp'),
    };
  }

  /**
   * A queued or running video is cancelled and its reservation released (as `POST
   * /v1/jobs/{id}/cancel`); a finished one has its outputs deleted now instead of at the end of
   * retention. Asking again is harmless.
   */
  async remove(account: Account, id: string): Promise<void> {
    const job = await this.jobs.get(id, { accountId: account.id });
    if (isActiveStatus(job.status)) {
      await this.jobs.cancel(id, { accountId: account.id });
    } else if (job.status === 'succeeded') {
      await this.retention.expireNow(id);
    }
  }

  private async imageUpload(
    account: Account,
    request: CreateVideo,
    image: Buffer | undefined,
  ): Promise<string | undefined> {
    const reference = request.input_reference;
    if (!image && !reference?.image_url) return reference?.file_id;
    if (image) return (await this.uploads.create(account, image)).id;
    const url = reference!.image_url!;
    const data = DATA_URL.exec(url);
    if (data) return (await this.uploads.create(account, Buffer.from(data[1], 'base64'))).id;
    if (url.startsWith('data:')) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'input_reference.image_url: a data URL must be data:image/...;base64,...',
        [{ field: 'input_reference.image_url', message: 'is not a base64 image data URL' }],
      );
    }
    return (await this.uploads.createFromUrl(account, url, 'input_reference.image_url')).id;
  }
}
