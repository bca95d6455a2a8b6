import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  InternalCreateJobRequestSchema,
  InternalJobViewSchema,
  InternalPersonalTeamSchema,
  JobViewSchema,
  QueueStatsSchema,
  type QueueStats,
  isActiveStatus,
} from '@cineweave/contracts';
import type { Response } from 'express';
import { z } from 'zod';
import { InternalOnly } from '../../core/auth/auth.decorators.ts';
import { AcceptsJson, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { PRESIGN_SECONDS, StorageService } from '../../core/storage/storage.service.ts';
import { InternalJobsService } from './internal-jobs.service.ts';
import { JobIdParams } from '../jobs/http/jobs.dto.ts';
import type { Job } from '../jobs/job-row.ts';
import { JobsService } from '../jobs/jobs.service.ts';
import { QueueStandings } from '../jobs/dispatch/queue-standing.service.ts';

class InternalCreateJobDto extends zodDto(InternalCreateJobRequestSchema) {}
class UserIdParams extends zodDto(z.strictObject({ userId: z.string().min(1).max(128) })) {}

/** The operator's routes (Bearer $INTERNAL_TOKEN): it acts for any account, so no user scope. */
@ApiTags('internal')
@ApiBearerAuth()
@InternalOnly()
@Controller('internal/v1')
export class InternalController {
  constructor(
    private readonly internalJobs: InternalJobsService,
    private readonly jobs: JobsService,
    private readonly storage: StorageService,
    private readonly standings: QueueStandings,
  ) {}

  /**
   * 202 for a new job, 200 with the existing one when the VideoJob uid was seen before. The job is
   * charged to `teamId` (404 when no such team) or, legacy, to `userId`'s personal team.
   */
  @Post('jobs')
  @ApiOperation({ summary: "Submit a VideoJob's job (operator)" })
  @RespondsWith(
    JobViewSchema,
    202,
    'A new job (200 with the existing job when the VideoJob uid was seen before)',
  )
  @AcceptsJson(InternalCreateJobRequestSchema, {
    uid: '3f6c1e0a-8d2b-4c55-9e11-0b7c2a9d4e61',
    teamId: '0b9d4c3e-5a61-4f7e-9c2d-8e1f0a2b3c4d',
    namespace: 'team-a',
    spec: {
      prompt: 'Paper lanterns rising over a river at night',
      resolution: '640x352',
      durationSeconds: 1,
    },
  })
  async create(@Body() body: InternalCreateJobDto, @Res({ passthrough: true }) response: Response) {
    const { job, created } = await this.internalJobs.submit(body);
    response.status(created ? 202 : 200);
    return this.jobs.view(job);
  }

  /** The job, its place in the queue and, once it succeeded, fresh presigned links to its outputs. */
  @Get('jobs/:id')
  @ApiOperation({ summary: 'A job with its queue position and fresh output links (operator)' })
  @RespondsWith(InternalJobViewSchema)
  async get(@Param() params: JobIdParams) {
    const job = await this.jobs.get(params.id, {});
    const queue = await this.standings.of(job);
    return {
      ...this.jobs.view(job),
      queuePosition: queue?.position ?? null,
      ...(queue && { queue }),
      ...(await this.downloads(job)),
    };
  }

  /**
   * The operator copies these into the VideoJob's status and reads them again before `expiresAt`.
   * The expiry is taken before signing, so it is never later than the links' own.
   */
  private async downloads(job: Job) {
    if (job.status !== 'succeeded' || !job.videoKey || !job.thumbnailKey) return {};
    const expiresAt = new Date(Date.now() + PRESIGN_SECONDS * 1000).toISOString();
    const [video, thumbnail] = await Promise.all([
      this.storage.presignGet(job.videoKey),
      this.storage.presignGet(job.thumbnailKey),
    ]);
    return { downloads: { video, thumbnail, expiresAt } };
  }

  @Post('jobs/:id/cancel')
  @ApiOperation({ summary: "Cancel a deleted VideoJob's job (operator)" })
  @HttpCode(200)
  @RespondsWith(JobViewSchema)
  async cancel(@Param() params: JobIdParams) {
    const job = await this.jobs.get(params.id, {});
    // Cancelling a finished job is a no-op here: the operator calls this while deleting a CR.
    if (!isActiveStatus(job.status)) return this.jobs.view(job);
    return this.jobs.view(
      await this.jobs.cancelAsOther(params.id, { type: 'system', id: 'system:operator' }),
    );
  }

  /**
   * The personal team of a user, for the operator's warning on a namespace that still carries the
   * deprecated `cineweave.io/account` annotation: it names the `cineweave.io/team` value to set.
   */
  @Get('users/:userId/personal-team')
  @ApiOperation({ summary: "A user's personal team, to migrate a namespace annotation (operator)" })
  @RespondsWith(InternalPersonalTeamSchema)
  async personalTeam(@Param() params: UserIdParams) {
    return this.internalJobs.personalTeam(params.userId);
  }

  /** Backlog per model, for the WorkerPool autoscaler. */
  @Get('queues/stats')
  @ApiOperation({ summary: 'Backlog per model, for the WorkerPool autoscaler (operator)' })
  @RespondsWith(QueueStatsSchema)
  async stats(): Promise<QueueStats> {
    return this.internalJobs.queueStats();
  }
}
