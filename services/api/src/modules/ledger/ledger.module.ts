import { Module } from '@nestjs/common';
import { LedgerRepository } from './ledger.repository.ts';

/**
 * The credit ledger's repository on its own: accounts (sign-up and admin grants), jobs (reserve,
 * capture, release) and billing (top-ups, monthly grants) move credits through it, and the
 * credits endpoints (CreditsModule) sit above accounts, so this is the one piece all of them
 * import without a cycle.
 */
@Module({
  providers: [LedgerRepository],
  exports: [LedgerRepository],
})
export class LedgerModule {}
