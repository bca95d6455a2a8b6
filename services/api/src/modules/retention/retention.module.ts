import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.ts';
import { RetentionService } from './retention.service.ts';

@Module({ imports: [EventsModule], providers: [RetentionService], exports: [RetentionService] })
export class RetentionModule {}
