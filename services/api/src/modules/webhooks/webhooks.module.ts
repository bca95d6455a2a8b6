import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { WEBHOOK_QUEUE } from '@cineweave/contracts';
import { AccountsModule } from '../accounts/accounts.module.ts';
import { WebhookDeliveryWorker } from './webhook-delivery.worker.ts';
import { WebhookDispatcher } from './webhook-dispatcher.service.ts';
import { WebhooksController } from './webhooks.controller.ts';
import { WebhooksRepository } from './webhooks.repository.ts';
import { WebhooksService } from './webhooks.service.ts';

/**
 * Outgoing webhooks: endpoints and their delivery log (routes), the dispatcher that turns the
 * database's webhook events into deliveries, and the worker that signs and sends them.
 */
@Module({
  imports: [AccountsModule, BullModule.registerQueue({ name: WEBHOOK_QUEUE })],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookDispatcher, WebhookDeliveryWorker, WebhooksRepository],
  exports: [WebhooksService, WebhookDispatcher],
})
export class WebhooksModule {}
