import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { UsageQuerySchema, UsageReportSchema } from '@cineweave/contracts';
import type { Response } from 'express';
import { AdminOnly } from '../../core/auth/auth.decorators.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import type { Account } from '../accounts/accounts.service.ts';
import { CurrentAccount } from '../accounts/current-account.decorator.ts';
import { usageCsv } from './usage-report.ts';
import { type UsageScope, UsageService } from './usage.service.ts';

class UsageQueryDto extends zodDto(UsageQuerySchema) {}

const CSV_ANSWER = {
  status: 200,
  description: 'With format=csv: the same rows as CSV with FOCUS column names (see README, "Usage export")',
  content: { 'text/csv': { schema: { type: 'string' } } },
} as const;

@ApiTags('usage')
@ApiBearerAuth()
@Controller('v1')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  /** The finished jobs charged to the caller's account (their team) per day, person and model. */
  @Get('usage')
  @ApiOperation({ summary: "Your team's usage per day, person and model, as JSON or CSV" })
  @RespondsWith(UsageReportSchema)
  @ApiResponse(CSV_ANSWER)
  async own(
    @CurrentAccount() account: Account,
    @Query() query: UsageQueryDto,
    @Res({ passthrough: true }) response: Response,
  ) {
    if (query.userId !== undefined) {
      throw new DomainError('VALIDATION_FAILED', 'userId is for admins: ask GET /v1/admin/usage?userId=…', [
        { field: 'userId', message: 'is for admins only' },
      ]);
    }
    // The caller's account is their team's credit pool: this report is their team's already.
    if (query.team !== undefined) {
      throw new DomainError(
        'VALIDATION_FAILED',
        "team is for admins: GET /v1/usage reports the team you are working in; switch teams to see another's",
        [{ field: 'team', message: 'is for admins only' }],
      );
    }
    return this.answer({ accountId: account.id }, query, response);
  }

  /** Every team's usage, or one team's with `team`, or one person's with `userId`. */
  @Get('admin/usage')
  @ApiOperation({ summary: "Every team's usage per day, person and model, as JSON or CSV (admin)" })
  @AdminOnly()
  @RespondsWith(UsageReportSchema)
  @ApiResponse(CSV_ANSWER)
  async all(@Query() query: UsageQueryDto, @Res({ passthrough: true }) response: Response) {
    return this.answer(
      { accountId: query.team ?? null, ...(query.userId ? { userId: query.userId } : {}) },
      query,
      response,
    );
  }

  private async answer(
    scope: UsageScope,
    query: { from?: string; to?: string; format: 'json' | 'csv' },
    response: Response,
  ) {
    const report = await this.usage.report(scope, query);
    if (query.format === 'json') return report;
    response.type('text/csv; charset=utf-8');
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="cineweave-usage-${report.from}-${report.to}.csv"`,
    );
    return usageCsv(report);
  }
}
