import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.ts';
import { JobsModule } from '../jobs/jobs.module.ts';
import { AdminController } from './admin.controller.ts';
import { AdminRepository } from './admin.repository.ts';
import { AdminService } from './admin.service.ts';

@Module({
  imports: [AccountsModule, JobsModule],
  controllers: [AdminController],
  providers: [AdminService, AdminRepository],
})
export class AdminModule {}
