import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.ts';
import { DispatchModule } from '../dispatch/dispatch.module.ts';
import { LedgerModule } from '../ledger/ledger.module.ts';
import { EventsModule } from '../events/events.module.ts';
import { ModerationModule } from '../moderation/moderation.module.ts';
import { PlansModule } from '../plans/plans.module.ts';
import { UploadsModule } from '../uploads/uploads.module.ts';
import { WebhooksModule } from '../webhooks/webhooks.module.ts';
import { JobStreamService } from './http/job-stream.service.ts';
import { AdmissionService } from './admission/admission.service.ts';
import { IdempotencyRepository } from './admission/idempotency.repository.ts';
import { IdempotencyService } from './admission/idempotency.service.ts';
import { JobSubmissionService } from './admission/job-submission.service.ts';
import { JobWebhookPayloads } from './job-webhook-payloads.ts';
import { JobsController } from './http/jobs.controller.ts';
import { JobsService } from './jobs.service.ts';
import { LegacyQueueMigration } from './dispatch/legacy-queue-migration.service.ts';
import { OutboxRelay } from './dispatch/outbox-relay.service.ts';
import { OutboxRepository } from './dispatch/outbox.repository.ts';
import { QueueStandings } from './dispatch/queue-standing.service.ts';
import { ReconcilerService } from './dispatch/reconciler.service.ts';
import { ResultsProcessor } from './settlement/results.processor.ts';
import { SettlementService } from './settlement/settlement.service.ts';
import { WorkQueueListener } from './settlement/work-queue.listener.ts';
import { JobStateModule } from './state/job-state.module.ts';

@Module({
  imports: [
    AccountsModule,
    DispatchModule,
    LedgerModule,
    PlansModule,
    EventsModule,
    JobStateModule,
    ModerationModule,
    UploadsModule,
    WebhooksModule,
  ],
  controllers: [JobsController],
  providers: [
    AdmissionService,
    IdempotencyRepository,
    IdempotencyService,
    JobSubmissionService,
    JobWebhookPayloads,
    JobsService,
    JobStreamService,
    LegacyQueueMigration,
    OutboxRelay,
    OutboxRepository,
    ReconcilerService,
    QueueStandings,
    ResultsProcessor,
    SettlementService,
    WorkQueueListener,
  ],
  exports: [
    JobStateModule,
    AdmissionService,
    LegacyQueueMigration,
    JobSubmissionService,
    JobsService,
    OutboxRelay,
    QueueStandings,
    ReconcilerService,
    SettlementService,
  ],
})
export class JobsModule {}
