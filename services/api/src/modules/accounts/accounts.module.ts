import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.ts';
import { AccountsRepository } from './accounts.repository.ts';
import { AccountsService } from './accounts.service.ts';
import { TeamAccess } from './team-access.ts';
import { UsersController } from './users.controller.ts';

/** Users and their accounts; `@CurrentAccount()` needs this module imported where it is used. */
@Module({
  imports: [LedgerModule],
  controllers: [UsersController],
  providers: [AccountsService, AccountsRepository, TeamAccess],
  exports: [AccountsService, AccountsRepository, TeamAccess],
})
export class AccountsModule {}
