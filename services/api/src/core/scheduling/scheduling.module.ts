import { Global, Module } from '@nestjs/common';
import { Scheduler } from './scheduler.ts';

@Global()
@Module({ providers: [Scheduler], exports: [Scheduler] })
export class SchedulingModule {}
