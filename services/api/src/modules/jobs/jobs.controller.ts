import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { CreateJobRequestSchema } from '@cineweave/contracts';
import { z } from 'zod';
import type { Request, Response } from 'express';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { JobStreamService } from '../events/job-stream.service.ts';
import { CreateJobDto, JobIdParams, ListJobsQuery, VideoLinkQuery } from './jobs.dto.ts';
import { JobSubmissionService } from './job-submission.service.ts';
import { JobsService } from './jobs.service.ts';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly submission: JobSubmissionService,
    private readonly jobs: JobsService,
    private readonly accounts: AccountsService,
    private readonly stream: JobStreamService,
  ) {}

  @Post()
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiBody({ schema: z.toJSONSchema(CreateJobRequestSchema, { io: 'input' }) as object })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateJobDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const answer = await this.submission.submit(principal, body, request.body, idempotencyKey);
    response.status(answer.status);
    if (answer.replayed) response.setHeader('Idempotent-Replayed', 'true');
    if (answer.status >= 400) response.type('application/problem+json');
    return answer.body;
  }

  @Get()
  async list(@CurrentPrincipal() principal: Principal, @Query() query: ListJobsQuery) {
    const account = await this.accounts.forPrincipal(principal);
    return this.jobs.list({ accountId: account.id }, query);
  }

  @Get(':id')
  async get(@CurrentPrincipal() principal: Principal, @Param() params: JobIdParams) {
    const account = await this.accounts.forPrincipal(principal);
    return this.jobs.view(await this.jobs.get(params.id, { accountId: account.id }));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@CurrentPrincipal() principal: Principal, @Param() params: JobIdParams) {
    const account = await this.accounts.forPrincipal(principal);
    return this.jobs.view(await this.jobs.cancel(params.id, { accountId: account.id }));
  }

  @Get(':id/events')
  async events(
    @CurrentPrincipal() principal: Principal,
    @Param() params: JobIdParams,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const account = await this.accounts.forPrincipal(principal);
    await this.stream.stream(params.id, { accountId: account.id }, request, response);
  }

  @Get(':id/video')
  async video(
    @CurrentPrincipal() principal: Principal,
    @Param() params: JobIdParams,
    @Query() query: VideoLinkQuery,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const account = await this.accounts.forPrincipal(principal);
    const url = await this.jobs.outputUrl(params.id, { accountId: account.id }, 'video', {
      download: query.download === '1',
    });
    sendOutputLink(request, response, url);
  }

  @Get(':id/thumbnail')
  async thumbnail(
    @CurrentPrincipal() principal: Principal,
    @Param() params: JobIdParams,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const account = await this.accounts.forPrincipal(principal);
    sendOutputLink(
      request,
      response,
      await this.jobs.outputUrl(params.id, { accountId: account.id }, 'thumbnail'),
    );
  }
}

/**
 * A 302 to the presigned URL, or `{ url }` when the caller asks for JSON: `<video>` and `<img>`
 * cannot send a bearer token, so the portal fetches the link with its token and hands the
 * presigned URL to the element.
 */
function sendOutputLink(request: Request, response: Response, url: string): void {
  const accept = request.headers.accept ?? '';
  if (accept.includes('application/json') && !accept.includes('text/html')) {
    response.status(200).json({ url });
  } else {
    response.redirect(302, url);
  }
}
