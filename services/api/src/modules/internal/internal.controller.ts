import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { InternalCreateJobRequestSchema, type QueueStats } from '@cineweave/contracts';
import type { Response } from 'express';
import { InternalOnly } from '../../core/auth/auth.decorators.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { InternalJobsService } from './internal-jobs.service.ts';
import { JobIdParams } from '../jobs/jobs.dto.ts';
import { JobsService } from '../jobs/jobs.service.ts';

class InternalCreateJobDto extends zodDto(InternalCreateJobRequestSchema) {}

/** The operator's routes (Bearer $INTERNAL_TOKEN): it acts for any account, so no user scope. */
@ApiTags('internal')
@ApiBearerAuth()
@InternalOnly()
@Controller('internal/v1')
export class InternalController {
  constructor(
    private readonly internalJobs: InternalJobsService,
    private readonly jobs: JobsService,
  ) {}

  /** 202 for a new job, 200 with the existing one when the VideoJob uid was seen before. */
  @Post('jobs')
  @ApiBody({ schema: z.toJSONSchema(InternalCreateJobRequestSchema, { io: 'input' }) as object })
  async create(@Body() body: InternalCreateJobDto, @Res({ passthrough: true }) response: Response) {
    const { job, created } = await this.internalJobs.submit(body);
    response.status(created ? 202 : 200);
    return this.jobs.view(job);
  }

  @Get('jobs/:id')
  async get(@Param() params: JobIdParams) {
    const job = await this.jobs.get(params.id, {});
    return { ...this.jobs.view(job), queuePosition: await this.jobs.queuePosition(job) };
  }

  @Post('jobs/:id/cancel')
  @HttpCode(200)
  async cancel(@Param() params: JobIdParams) {
    const job = await this.jobs.get(params.id, {});
    // Cancelling a finished job is a no-op here: the operator calls this while deleting a CR.
    if (job.status !== 'queued' && job.status !== 'running') return this.jobs.view(job);
    return this.jobs.view(await this.jobs.cancel(params.id, {}));
  }

  /** Backlog per model, for the WorkerPool autoscaler. */
  @Get('queues/stats')
  async stats(): Promise<QueueStats> {
    return this.internalJobs.queueStats();
  }
}
