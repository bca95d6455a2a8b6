import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.ts';
import { HealthController } from './health.controller.ts';

@Module({ imports: [JobsModule], controllers: [HealthController] })
export class HealthModule {}
