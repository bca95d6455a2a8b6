import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreditsSummarySchema, LedgerPageSchema } from '@cineweave/contracts';
import { z } from 'zod';
import { PageQueryFields } from '../../core/http/cursor.ts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { type Account, AccountsService } from '../accounts/accounts.service.ts';
import { CurrentAccount } from '../accounts/current-account.decorator.ts';
import { CreditsService } from './credits.service.ts';

class LedgerQueryDto extends zodDto(z.strictObject(PageQueryFields)) {}

@ApiTags('credits')
@ApiBearerAuth()
@Controller('v1/credits')
export class CreditsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly credits: CreditsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your balance, reserved and available credits' })
  @RespondsWith(CreditsSummarySchema)
  summary(@CurrentAccount() account: Account) {
    return this.accounts.summary(account);
  }

  @Get('ledger')
  @ApiOperation({ summary: 'Your credit ledger, newest first' })
  @RespondsWith(LedgerPageSchema)
  ledger(@CurrentAccount() account: Account, @Query() query: LedgerQueryDto) {
    return this.credits.page(account, query.cursor, query.limit);
  }
}
