import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.ts';
import { UsageExportService } from './usage-export.service.ts';
import { UsageController } from './usage.controller.ts';
import { UsageRepository } from './usage.repository.ts';
import { UsageService } from './usage.service.ts';

/** Usage per day, person and model: the API's answers and the monthly CSV export. */
@Module({
  imports: [AccountsModule],
  controllers: [UsageController],
  providers: [UsageService, UsageExportService, UsageRepository],
  exports: [UsageService],
})
export class UsageModule {}
