import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.ts';
import { CreditsController } from './credits.controller.ts';
import { CreditsService } from './credits.service.ts';
import { LedgerModule } from '../ledger/ledger.module.ts';

/** `/v1/credits`: the caller's balance and ledger pages. */
@Module({
  imports: [AccountsModule, LedgerModule],
  controllers: [CreditsController],
  providers: [CreditsService],
})
export class CreditsModule {}
