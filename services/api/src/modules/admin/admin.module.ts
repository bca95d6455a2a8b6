import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.ts';
import { JobsModule } from '../jobs/jobs.module.ts';
import { AdminController } from './admin.controller.ts';
import { AdminTimeseriesRepository } from './admin-timeseries.repository.ts';
import { AdminTimeseriesService } from './admin-timeseries.service.ts';
import { AdminRepository } from './admin.repository.ts';
import { AdminService } from './admin.service.ts';

@Module({
  imports: [AccountsModule, JobsModule],
  controllers: [AdminController],
  providers: [AdminService, AdminRepository, AdminTimeseriesService, AdminTimeseriesRepository],
})
export class AdminModule {}
