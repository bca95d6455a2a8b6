import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../../core/config/app-config.ts';
import { AccountsModule } from '../accounts/accounts.module.ts';
import { LedgerModule } from '../ledger/ledger.module.ts';
import { PlansModule } from '../plans/plans.module.ts';
import { BillingController } from './billing.controller.ts';
import { CatalogueService } from './catalogue.service.ts';
import { MonthlyGrantsService } from './monthly-grants.service.ts';
import { PaymentsRepository } from './payments.repository.ts';
import { PaymentsService } from './payments.service.ts';
import { TrueLayerClient } from './truelayer/truelayer-client.ts';
import { WebhookVerifier } from './truelayer/webhook-verifier.ts';
import { WebhooksController } from './webhooks.controller.ts';

/**
 * Plans and payments. With PAYMENTS_PROVIDER=none (enterprises that charge internally) no
 * billing route exists at all, so each answers 404; the monthly grants run either way.
 */
@Module({})
export class BillingModule {
  static forRoot(config: AppConfig): DynamicModule {
    const payments = config.env.PAYMENTS_PROVIDER === 'truelayer';
    return {
      module: BillingModule,
      imports: [AccountsModule, LedgerModule, PlansModule],
      controllers: payments ? [BillingController, WebhooksController] : [],
      providers: [
        MonthlyGrantsService,
        ...(payments
          ? [CatalogueService, PaymentsService, PaymentsRepository, TrueLayerClient, WebhookVerifier]
          : []),
      ],
      exports: [MonthlyGrantsService],
    };
  }
}
