import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import type { JobView, Page } from '@cineweave/contracts';
import { CineweaveApi } from '../core/api/cineweave-api';
import { MediaUrls } from '../core/api/media-urls';
import { aJob, text } from '../testing/fake-api';
import { JobsListPage } from './jobs-list.page';

async function setup(jobs: (query: { status?: string | null }) => Promise<Page<JobView>>, status?: string) {
  TestBed.configureTestingModule({
    providers: [
      provideRouter([]),
      { provide: CineweaveApi, useValue: { jobs: vi.fn(jobs) } },
      { provide: MediaUrls, useValue: { resolve: async () => null } },
    ],
  });
  const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
  const fixture = TestBed.createComponent(JobsListPage);
  if (status) fixture.componentRef.setInput('status', status);
  await fixture.whenStable();
  await fixture.whenStable();
  return { element: fixture.nativeElement as HTMLElement, navigate, api: TestBed.inject(CineweaveApi) };
}

describe(JobsListPage.name, () => {
  it('should show each job as a card linking to its page', async () => {
    const { element } = await setup(async () => ({
      items: [aJob({ id: 'a1', prompt: 'first' }), aJob({ id: 'b2', prompt: 'second' })],
      nextCursor: null,
    }));

    const links = [...element.querySelectorAll('cw-job-card a')].map((link) => link.getAttribute('href'));
    expect(links).toEqual(['/jobs/a1', '/jobs/b2']);
  });

  it('should name the model that rendered each job on its card', async () => {
    const { element } = await setup(async () => ({
      items: [aJob({ id: 'a1', model: 'wan2.2-tiny-test' }), aJob({ id: 'b2', model: 'fastwan2.2-ti2v-5b' })],
      nextCursor: null,
    }));

    const models = [...element.querySelectorAll('[data-testid="job-card-model"]')].map((node) => text(node));
    expect(models).toEqual(['wan2.2-tiny-test', 'fastwan2.2-ti2v-5b']);
  });

  it('should invite a first video when the history is empty', async () => {
    const { element } = await setup(async () => ({ items: [], nextCursor: null }));

    expect(text(element)).toContain('No videos yet');
    expect(element.querySelector('a[href="/create"]')).not.toBeNull();
  });

  it('should load only the status in the address when a filter is set', async () => {
    const { element, api } = await setup(async () => ({ items: [], nextCursor: null }), 'failed');

    expect(api.jobs).toHaveBeenCalledWith({ status: 'failed', cursor: null });
    expect(element.querySelector('[aria-pressed="true"]')?.textContent?.trim()).toBe('Failed');
    expect(text(element)).toContain('No failed videos');
  });

  it('should put the filter in the address when a status chip is pressed', async () => {
    const { element, navigate } = await setup(async () => ({ items: [], nextCursor: null }));

    [...element.querySelectorAll<HTMLButtonElement>('[aria-label="Filter by status"] button')]
      .find((button) => button.textContent?.trim() === 'Rendering')!
      .click();

    expect(navigate).toHaveBeenCalledWith([], { queryParams: { status: 'running' }, replaceUrl: true });
  });

  it('should offer to load more when the API has another page', async () => {
    const { element } = await setup(async () => ({ items: [aJob()], nextCursor: 'next' }));

    expect(element.querySelector('button.btn-secondary')?.textContent).toContain('Load more');
  });
});
