import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.ts';
import { JobStateModule } from '../jobs/state/job-state.module.ts';
import { UploadsModule } from '../uploads/uploads.module.ts';
import { RetentionService } from './retention.service.ts';

@Module({
  imports: [EventsModule, JobStateModule, UploadsModule],
  providers: [RetentionService],
  exports: [RetentionService],
})
export class RetentionModule {}
