import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.ts';
import { JobsModule } from '../jobs/jobs.module.ts';
import { RetentionModule } from '../retention/retention.module.ts';
import { UploadsModule } from '../uploads/uploads.module.ts';
import { VideosController } from './videos.controller.ts';
import { VideosService } from './videos.service.ts';

/** `/v1/videos`: OpenAI's videos API as a façade over jobs. */
@Module({
  imports: [AccountsModule, JobsModule, UploadsModule, RetentionModule],
  controllers: [VideosController],
  providers: [VideosService],
})
export class VideosModule {}
