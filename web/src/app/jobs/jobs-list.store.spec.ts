import { TestBed } from '@angular/core/testing';
import type { JobView, Page } from '@cineweave/contracts';
import { CineweaveApi } from '../core/api/cineweave-api';
import { aJob } from '../testing/fake-api';
import { JobsListStore } from './jobs-list.store';

function job(id: string, status: JobView['status'] = 'succeeded'): JobView {
  return aJob({ id, status, prompt: `prompt ${id}` });
}

function setup(pages: Page<JobView>[]) {
  const jobs = vi.fn(async () => pages.shift() ?? { items: [], nextCursor: null });
  TestBed.configureTestingModule({
    providers: [JobsListStore, { provide: CineweaveApi, useValue: { jobs } }],
  });
  return { store: TestBed.inject(JobsListStore), jobs };
}

describe(JobsListStore.name, () => {
  it('should append the next page using the cursor when loading more', async () => {
    const { store, jobs } = setup([
      { items: [job('a'), job('b')], nextCursor: 'c1' },
      { items: [job('c')], nextCursor: null },
    ]);

    await store.filter(null);
    await store.loadMore();

    expect(store.items().map((item) => item.id)).toEqual(['a', 'b', 'c']);
    expect(jobs).toHaveBeenLastCalledWith({ status: null, cursor: 'c1' });
    expect(store.hasMore()).toBe(false);
  });

  it('should not call the API again when every page is loaded', async () => {
    const { store, jobs } = setup([{ items: [job('a')], nextCursor: null }]);

    await store.filter(null);
    await store.loadMore();

    expect(jobs).toHaveBeenCalledTimes(1);
  });

  it('should start over with the status when the filter changes', async () => {
    const { store, jobs } = setup([
      { items: [job('a')], nextCursor: 'c1' },
      { items: [job('f', 'failed')], nextCursor: null },
    ]);

    await store.filter(null);
    await store.filter('failed');

    expect(store.items().map((item) => item.id)).toEqual(['f']);
    expect(jobs).toHaveBeenLastCalledWith({ status: 'failed', cursor: null });
  });

  it('should report an empty history when the first page has no jobs', async () => {
    const { store } = setup([{ items: [], nextCursor: null }]);

    await store.filter(null);

    expect(store.empty()).toBe(true);
  });

  it('should keep the loaded jobs and show the error when a page fails', async () => {
    const { store, jobs } = setup([{ items: [job('a')], nextCursor: 'c1' }]);
    await store.filter(null);
    jobs.mockRejectedValueOnce(new Error('offline'));

    await store.loadMore();

    expect(store.items()).toHaveLength(1);
    expect(store.error()).toBe('offline');
    expect(store.hasMore()).toBe(true);
  });
});
