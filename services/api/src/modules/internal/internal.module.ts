import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.ts';
import { JobsModule } from '../jobs/jobs.module.ts';
import { UploadsModule } from '../uploads/uploads.module.ts';
import { InternalJobsService } from './internal-jobs.service.ts';
import { InternalController } from './internal.controller.ts';
import { ServiceIdentitiesRepository } from './service-identities.repository.ts';

@Module({
  imports: [JobsModule, AccountsModule, UploadsModule],
  controllers: [InternalController],
  providers: [InternalJobsService, ServiceIdentitiesRepository],
})
export class InternalModule {}
