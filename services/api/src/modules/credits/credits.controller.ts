import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreditsSummarySchema, LedgerPageSchema } from '@cineweave/contracts';
import { z } from 'zod';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { PageQueryFields } from '../../core/http/cursor.ts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
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
  async summary(@CurrentPrincipal() principal: Principal) {
    return this.accounts.summary(await this.accounts.forPrincipal(principal));
  }

  @Get('ledger')
  @ApiOperation({ summary: 'Your credit ledger, newest first' })
  @RespondsWith(LedgerPageSchema)
  async ledger(@CurrentPrincipal() principal: Principal, @Query() query: LedgerQueryDto) {
    return this.credits.ledger(await this.accounts.forPrincipal(principal), query.cursor, query.limit);
  }
}
