import { Module } from '@nestjs/common';
import { DispatchLeadership } from './dispatch-leadership.ts';
import { FairDispatchRepository } from './fair-dispatch.repository.ts';
import { FairDispatcher } from './fair-dispatcher.service.ts';
import { FairStandingsStore } from './fair-standings.store.ts';
import { RenderTimes } from './render-times.ts';

/** Weighted fair queueing between teams, from the outbox to each model's work queue (issue #19). */
@Module({
  // WorkerDirectory (ModelsModule), WorkQueues, Redis and the database are global.
  providers: [DispatchLeadership, FairDispatchRepository, FairDispatcher, FairStandingsStore, RenderTimes],
  exports: [FairDispatcher, FairStandingsStore, RenderTimes],
})
export class DispatchModule {}
