import { Module } from '@nestjs/common';
import { CreditsModule } from '../credits/credits.module.ts';
import { CreditsController } from '../credits/credits.controller.ts';
import { CreditsService } from '../credits/credits.service.ts';
import { PlansController } from '../plans/plans.controller.ts';
import { PlansService } from '../plans/plans.service.ts';
import { AccountsService } from './accounts.service.ts';
import { UsersController } from './users.controller.ts';

/** Users, their accounts, credits (ledger) and the plans and prices they buy into. */
@Module({
  imports: [CreditsModule],
  controllers: [UsersController, CreditsController, PlansController],
  providers: [AccountsService, CreditsService, PlansService],
  exports: [AccountsService, PlansService],
})
export class AccountsModule {}
