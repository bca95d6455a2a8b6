import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import {
  AdminJobPageSchema,
  AdminStatsSchema,
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
import { RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { JobsService } from '../jobs/jobs.service.ts';
import { AdminService } from './admin.service.ts';
import { actorOf } from '../audit/audit.service.ts';
import { JobIdParams } from '../jobs/jobs.dto.ts';

class PageQuery extends zodDto(z.strictObject(PageQueryFields)) {}
class AdminJobsQuery extends zodDto(
  z.strictObject({ ...PageQueryFields, status: JobStatusSchema.optional() }),
) {}
class GrantDto extends zodDto(GrantCreditsRequestSchema) {}

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/admin')
export class AdminController {
  constructor(
    private readonly admin: AdminService,
    private readonly accounts: AccountsService,
    private readonly jobs: JobsService,
  ) {}

  @Get('users')
  @RespondsWith(AdminUserPageSchema)
  users(@Query() query: PageQuery) {
    return this.admin.users(query.cursor, query.limit);
  }

  @Post('credits/grant')
  @HttpCode(200)
  @RespondsWith(CreditsSummarySchema, 200, "The user's credits after the grant")
  @ApiBody({ schema: z.toJSONSchema(GrantDto.zodSchema, { io: 'input' }) as object })
  grant(@CurrentPrincipal() principal: Principal, @Body() body: GrantDto) {
    return this.accounts.grant(body.userId, body.amount, body.reason, principal.userId);
  }

  @Get('jobs')
  @RespondsWith(AdminJobPageSchema)
  listJobs(@Query() query: AdminJobsQuery) {
    // Across accounts, each job says whose it is.
    return this.jobs.list({}, query, { withOwner: true });
  }

  /** Cancels anyone's job; audited as a cancel by someone other than the owner. */
  @Post('jobs/:id/cancel')
  @HttpCode(200)
  @RespondsWith(JobViewSchema, 200, 'The job, cancelled')
  async cancel(@CurrentPrincipal() principal: Principal, @Param() params: JobIdParams) {
    return this.jobs.view(await this.jobs.cancelAsOther(params.id, actorOf(principal)));
  }

  @Get('stats')
  @RespondsWith(AdminStatsSchema)
  stats() {
    return this.admin.stats();
  }
}
