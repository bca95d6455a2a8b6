import { ChangeDetectionStrategy, Component, effect, inject, input, untracked } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { JOB_STATUSES, type JobStatus } from '@cineweave/contracts';
import { STATUS_LABELS } from '../core/format/format';
import { ActingTeam } from '../core/teams/acting-team';
import { AlertComponent } from '../shared/ui/alert.component';
import { EmptyStateComponent } from '../shared/ui/empty-state.component';
import { InViewDirective } from '../shared/ui/in-view.directive';
import { JobCardComponent } from '../shared/ui/job-card.component';
import { SpinnerComponent } from '../shared/ui/spinner.component';
import { JobsListStore } from './jobs-list.store';

@Component({
  selector: 'cw-jobs-list-page',
  imports: [
    RouterLink,
    AlertComponent,
    EmptyStateComponent,
    InViewDirective,
    JobCardComponent,
    SpinnerComponent,
  ],
  providers: [JobsListStore],
  template: `
    <div class="page">
      <header class="mb-6 flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <p class="eyebrow">
            History
            @if (team(); as team) {
              @if (!team.personal) {
                · {{ team.name }}
              }
            }
          </p>
          <h1 class="page-title mt-2">My videos</h1>
        </div>
        <a routerLink="/create" class="btn-primary self-start sm:self-auto">New video</a>
      </header>

      <div class="mb-6 flex gap-2 overflow-x-auto pb-1" role="group" aria-label="Filter by status">
        @for (option of filters; track option.value) {
          <button
            type="button"
            class="shrink-0 rounded-full border px-3.5 py-1.5 text-sm font-medium transition"
            [class]="
              store.status() === option.value
                ? 'border-brand-purple/70 bg-brand-purple/15 text-ink'
                : 'border-white/10 text-ink-muted hover:border-white/25 hover:text-ink'
            "
            [attr.aria-pressed]="store.status() === option.value"
            (click)="choose(option.value)"
          >
            {{ option.label }}
          </button>
        }
      </div>

      @if (store.initialLoading()) {
        <div class="grid gap-5 sm:grid-cols-2 lg:grid-cols-3" aria-busy="true">
          @for (placeholder of [1, 2, 3, 4, 5, 6]; track placeholder) {
            <div class="overflow-hidden rounded-2xl border border-white/8" aria-hidden="true">
              <div class="skeleton aspect-video rounded-none"></div>
              <div class="space-y-2 p-4">
                <div class="skeleton h-4 w-3/4"></div>
                <div class="skeleton h-3 w-1/2"></div>
              </div>
            </div>
          }
          <span class="sr-only">Loading your videos…</span>
        </div>
      } @else if (store.empty()) {
        @if (store.status()) {
          <cw-empty-state
            heading="No {{ label(store.status()!).toLowerCase() }} videos"
            message="Try another filter, or show every video."
            icon="search"
          >
            <button type="button" class="btn-secondary" (click)="choose(null)">Show all videos</button>
          </cw-empty-state>
        } @else {
          <cw-empty-state
            heading="No videos yet"
            message="Your renders will appear here, newest first."
            icon="film"
          >
            <a routerLink="/create" class="btn-primary">Create your first video</a>
          </cw-empty-state>
        }
      } @else {
        <ul class="grid gap-5 sm:grid-cols-2 lg:grid-cols-3">
          @for (job of store.items(); track job.id) {
            <li><cw-job-card [job]="job" /></li>
          }
        </ul>
      }

      @if (store.error()) {
        <div class="mt-6">
          <cw-alert heading="Could not load your videos" [message]="store.error()!">
            <button
              type="button"
              class="mt-2 font-semibold underline underline-offset-2"
              (click)="store.loadMore()"
            >
              Try again
            </button>
          </cw-alert>
        </div>
      }

      @if (store.items().length > 0 && store.hasMore() && !store.error()) {
        <div class="mt-8 flex justify-center" (cwInView)="store.loadMore()">
          @if (store.loading()) {
            <cw-spinner label="Loading more videos…" />
          } @else {
            <button type="button" class="btn-secondary" (click)="store.loadMore()">Load more</button>
          }
        </div>
      }
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class JobsListPage {
  protected readonly store = inject(JobsListStore);
  private readonly router = inject(Router);
  /** The gallery is this team's videos (the page is re-created when it changes). */
  protected readonly team = inject(ActingTeam).current;

  /** `?status=` keeps the filter in the address, so it survives a reload and can be shared. */
  readonly status = input<string | undefined>();

  protected readonly filters: { value: JobStatus | null; label: string }[] = [
    { value: null, label: 'All' },
    ...JOB_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] })),
  ];

  constructor() {
    effect(() => {
      const status = this.status();
      const valid = (JOB_STATUSES as readonly string[]).includes(status ?? '') ? (status as JobStatus) : null;
      untracked(() => void this.store.filter(valid));
    });
  }

  protected label(status: JobStatus): string {
    return STATUS_LABELS[status];
  }

  protected choose(status: JobStatus | null): void {
    void this.router.navigate([], { queryParams: { status }, replaceUrl: true });
  }
}
