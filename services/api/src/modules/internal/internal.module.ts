import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.ts';
import { InternalJobsService } from './internal-jobs.service.ts';
import { InternalController } from './internal.controller.ts';

@Module({ imports: [JobsModule], controllers: [InternalController], providers: [InternalJobsService] })
export class InternalModule {}
