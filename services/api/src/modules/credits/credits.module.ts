import { Module } from '@nestjs/common';
import { LedgerRepository } from './ledger.repository.ts';

/** The credit ledger: every move of an account's credits goes through its repository. */
@Module({
  providers: [LedgerRepository],
  exports: [LedgerRepository],
})
export class CreditsModule {}
