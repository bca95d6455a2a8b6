import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CreateJobRequestSchema, JobPageSchema, JobViewSchema, OutputLinkSchema } from '@cineweave/contracts';
import type { Request, Response } from 'express';
import { AcceptsJson, RespondsWith } from '../../../core/http/responds-with.ts';
import { CurrentPrincipal } from '../../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../../core/auth/principal.ts';
import { CurrentAccount } from '../../accounts/current-account.decorator.ts';
import type { Account } from '../../accounts/accounts.service.ts';
import { JobStreamService } from './job-stream.service.ts';
import { CreateJobDto, JobIdParams, ListJobsQuery, VideoLinkQuery } from './jobs.dto.ts';
import { JobSubmissionService } from '../admission/job-submission.service.ts';
import { JobsService } from '../jobs.service.ts';
import { QueueStandings } from '../dispatch/queue-standing.service.ts';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly submission: JobSubmissionService,
    private readonly jobs: JobsService,
    private readonly stream: JobStreamService,
    private readonly standings: QueueStandings,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a text-to-video or image-to-video job; its credits are reserved' })
  @RespondsWith(JobViewSchema, 202, 'Accepted: the job is queued and its credits are reserved')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Any string up to 255 characters: a retry with the same key and body returns the first job (Idempotent-Replayed: true) instead of creating another.',
  })
  @AcceptsJson(CreateJobRequestSchema, {
    prompt: 'A lighthouse on a cliff at dusk, waves breaking below, slow push-in',
    resolution: '1280x704',
    durationSeconds: 5,
  })
  async create(
    @CurrentPrincipal() principal: Principal,
    // Spending the team's credits needs member or above: a viewer only watches.
    @CurrentAccount('member') team: Account,
    @Body() body: CreateJobDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    // Read from the request rather than with @Headers(), which would list the header a second time in /docs.
    const idempotencyKey = request.header('idempotency-key');
    const answer = await this.submission.submit(principal, team, body, request.body, idempotencyKey);
    response.status(answer.status);
    if (answer.replayed) response.setHeader('Idempotent-Replayed', 'true');
    if (answer.status >= 400) response.type('application/problem+json');
    return answer.body;
  }

  @Get()
  @ApiOperation({ summary: 'List your jobs, newest first' })
  @RespondsWith(JobPageSchema)
  async list(@CurrentAccount() account: Account, @Query() query: ListJobsQuery) {
    return this.jobs.list({ accountId: account.id }, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a job' })
  @RespondsWith(JobViewSchema)
  async get(@CurrentAccount() account: Account, @Param() params: JobIdParams) {
    const job = await this.jobs.get(params.id, { accountId: account.id });
    const queue = await this.standings.of(job);
    return { ...this.jobs.view(job), ...(queue && { queue }) };
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'Cancel a queued or running job; its reservation is released' })
  @HttpCode(200)
  @RespondsWith(JobViewSchema, 200, 'The job, cancelled (or as it was, if it had already finished)')
  async cancel(@CurrentAccount('member') account: Account, @Param() params: JobIdParams) {
    return this.jobs.view(await this.jobs.cancel(params.id, { accountId: account.id }));
  }

  @Get(':id/events')
  @ApiOperation({ summary: 'Follow a job live: server-sent events until it finishes' })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description:
      'Server-sent events until the job finishes: `status`, `progress`, `completed`, `failed`; each `data:` line is the JSON of that event (JobStatusEvent, JobProgressEvent, JobCompletedEvent, JobFailedEvent in @cineweave/contracts).',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  async events(
    @CurrentAccount() account: Account,
    @Param() params: JobIdParams,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    await this.stream.stream(params.id, { accountId: account.id }, request, response);
  }

  @Get(':id/video')
  @ApiOperation({ summary: 'The finished MP4: a redirect to a presigned link, or the link as JSON' })
  @ApiResponse({ status: 302, description: 'Redirect to a presigned URL of the MP4' })
  @RespondsWith(OutputLinkSchema, 200, 'With Accept: application/json, the presigned link')
  async video(
    @CurrentAccount() account: Account,
    @Param() params: JobIdParams,
    @Query() query: VideoLinkQuery,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const url = await this.jobs.outputUrl(params.id, { accountId: account.id }, 'video', {
      download: query.download === '1',
    });
    sendOutputLink(request, response, url);
  }

  @Get(':id/thumbnail')
  @ApiOperation({ summary: "The finished video's WebP thumbnail: a redirect, or the link as JSON" })
  @ApiResponse({ status: 302, description: 'Redirect to a presigned URL of the WebP thumbnail' })
  @RespondsWith(OutputLinkSchema, 200, 'With Accept: application/json, the presigned link')
  async thumbnail(
    @CurrentAccount() account: Account,
    @Param() params: JobIdParams,
    @Req() request: Request,
    @Res() response: Response,
  ) {
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
    // @Res() leaves the contract interceptor out, so the link is serialized through its contract here.
    response.status(200).json(OutputLinkSchema.parse({ url }));
  } else {
    response.redirect(302, url);
  }
}
