import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { JobStatusSchema } from '@cineweave/contracts';
import { z } from 'zod';
import { AdminOnly } from '../../core/auth/auth.decorators.ts';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { PageQueryFields } from '../../core/http/cursor.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { JobsService } from '../jobs/jobs.service.ts';
import { AdminService } from './admin.service.ts';

class PageQuery extends zodDto(z.strictObject(PageQueryFields)) {}
class AdminJobsQuery extends zodDto(
  z.strictObject({ ...PageQueryFields, status: JobStatusSchema.optional() }),
) {}
class GrantDto extends zodDto(
  z.strictObject({
    userId: z.string({ error: 'userId must be a string' }).min(1).max(128),
    amount: z
      .int({ error: 'amount must be a whole number of credits' })
      .min(-1_000_000)
      .max(1_000_000)
      .refine((amount) => amount !== 0, { error: 'amount must not be zero' }),
    reason: z
      .string({ error: 'reason must be a string' })
      .trim()
      .min(3, { error: 'say why, in a few words' })
      .max(500),
  }),
) {}

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
  users(@Query() query: PageQuery) {
    return this.admin.users(query.cursor, query.limit);
  }

  @Post('credits/grant')
  @HttpCode(200)
  @ApiBody({ schema: z.toJSONSchema(GrantDto.zodSchema, { io: 'input' }) as object })
  grant(@CurrentPrincipal() principal: Principal, @Body() body: GrantDto) {
    return this.accounts.grant(body.userId, body.amount, body.reason, principal.userId);
  }

  @Get('jobs')
  listJobs(@Query() query: AdminJobsQuery) {
    // Across accounts, each job says whose it is.
    return this.jobs.list({}, query, { withOwner: true });
  }

  @Get('stats')
  stats() {
    return this.admin.stats();
  }
}
