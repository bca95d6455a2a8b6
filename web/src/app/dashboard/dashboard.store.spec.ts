import { TestBed } from '@angular/core/testing';
import { Subject } from 'rxjs';
import { CineweaveApi } from '../core/api/cineweave-api';
import { CreditsStore } from '../core/credits/credits.store';
import { type JobEvent, JobEventStream } from '../core/events/job-event-stream';
import { aJob } from '../testing/fake-api';
import { DashboardStore } from './dashboard.store';

const RUNNING = '6f1c1f9e-8f0a-4b8e-9d55-0a4a7c2b9e01';
const DONE = '6f1c1f9e-8f0a-4b8e-9d55-0a4a7c2b9e02';

function setup() {
  const streams = new Map<string, Subject<JobEvent>>();
  const watch = vi.fn((id: string) => {
    const subject = new Subject<JobEvent>();
    streams.set(id, subject);
    return subject;
  });
  const refresh = vi.fn(async () => undefined);
  TestBed.configureTestingModule({
    providers: [
      DashboardStore,
      {
        provide: CineweaveApi,
        useValue: {
          jobs: async () => ({
            items: [aJob({ id: RUNNING, status: 'running' }), aJob({ id: DONE, status: 'succeeded' })],
            nextCursor: 'more',
          }),
        },
      },
      { provide: JobEventStream, useValue: { watch } },
      { provide: CreditsStore, useValue: { refresh } },
    ],
  });
  return { store: TestBed.inject(DashboardStore), watch, streams, refresh };
}

describe(DashboardStore.name, () => {
  it('should follow only the jobs that are still active when recent jobs load', async () => {
    const { store, watch } = setup();

    await store.load();

    expect(watch).toHaveBeenCalledTimes(1);
    expect(watch).toHaveBeenCalledWith(RUNNING);
    expect(store.activeCount()).toBe(1);
  });

  it('should update the card and re-read credits when a followed job completes', async () => {
    const { store, streams, refresh } = setup();
    await store.load();

    streams.get(RUNNING)!.next({
      type: 'completed',
      data: { jobId: RUNNING, status: 'succeeded', creditsCharged: 50, videoUrl: 'v', thumbnailUrl: 't' },
    });

    expect(store.jobs()[0]).toMatchObject({ status: 'succeeded', thumbnailUrl: 't' });
    expect(store.activeCount()).toBe(0);
    expect(refresh).toHaveBeenCalled();
  });
});
