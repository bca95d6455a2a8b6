import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AdminJobPageSchema,
  AdminStatsSchema,
  AdminTimeseriesQuerySchema,
  AdminTimeseriesSchema,
  AdminUserPageSchema,
  CreditsSummarySchema,
  GrantCreditsRequestSchema,
  JobStatusSchema,
  JobViewSchema,
} from '@cineweave/contracts';
import { z } from 'zod';
import { AdminOnly } from '../../core/auth/auth.decorators.ts';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { PageQueryFields } from '../../core/http/cursor.ts';
import { AcceptsJson, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { JobsService } from '../jobs/jobs.service.ts';
import { AdminTimeseriesService } from './admin-timeseries.service.ts';
import { AdminService } from './admin.service.ts';
import { actorOf } from '../audit/audit.service.ts';
import { JobIdParams } from '../jobs/http/jobs.dto.ts';

class PageQuery extends zodDto(z.strictObject(PageQueryFields)) {}
class AdminJobsQuery extends zodDto(
  z.strictObject({ ...PageQueryFields, status: JobStatusSchema.optional() }),
) {}
class GrantDto extends zodDto(GrantCreditsRequestSchema) {}
class TimeseriesQuery extends zodDto(AdminTimeseriesQuerySchema) {}

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/admin')
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly accounts: AccountsService,
    private readonly jobs: JobsService,
    private readonly timeseries: AdminTimeseriesService,
  ) {}

  @Get('users')
  @ApiOperation({ summary: 'List users with their accounts and credits (admin)' })
  @RespondsWith(AdminUserPageSchema)
  users(@Query() query: PageQuery) {
    return this.admin.users(query.cursor, query.limit);
  }

  @Post('credits/grant')
  @ApiOperation({ summary: 'Grant credits to a user, or adjust them with a negative amount (admin)' })
  @HttpCode(200)
  @RespondsWith(CreditsSummarySchema, 200, "The user's credits after the grant")
  @AcceptsJson(GrantCreditsRequestSchema, {
    userId: 'user_2b7Yx',
    amount: 500,
    reason: 'Q1 allocation for the design team',
  })
  grant(@CurrentPrincipal() principal: Principal, @Body() body: GrantDto) {
    return this.accounts.grant(body.userId, body.amount, body.reason, principal.userId);
  }

  @Get('jobs')
  @ApiOperation({ summary: "List every account's jobs, each with its owner (admin)" })
  @RespondsWith(AdminJobPageSchema)
  listJobs(@Query() query: AdminJobsQuery) {
    // Across accounts, each job says whose it is.
    return this.jobs.list({}, query, { withOwner: true });
  }

  /** Cancels anyone's job; audited as a cancel by someone other than the owner. */
  @Post('jobs/:id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: "Cancel anyone's queued or running job (admin; audited)" })
  @RespondsWith(JobViewSchema, 200, 'The job, cancelled')
  async cancel(@CurrentPrincipal() principal: Principal, @Param() params: JobIdParams) {
    return this.jobs.view(await this.jobs.cancelAsOther(params.id, actorOf(principal)));
  }

  @Get('stats')
  @ApiOperation({ summary: 'Jobs by status, credits moved by kind, GPU time and its cost (admin)' })
  @RespondsWith(AdminStatsSchema)
  stats() {
    return this.admin.stats();
  }

  @Get('timeseries')
  @ApiOperation({
    summary:
      'Jobs per bucket by status, queue depth and wait p95, GPU time and cost per day by team, credits per day (admin)',
  })
  @RespondsWith(AdminTimeseriesSchema)
  series(@Query() query: TimeseriesQuery) {
    return this.timeseries.timeseries(query);
  }
}
