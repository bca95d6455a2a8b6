import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { DecimalPipe } from '@angular/common';
import { JOB_STAGE_LABELS, QUEUE_REASON_LABELS, type QueueStanding } from '@cineweave/contracts';
import { Router, RouterLink } from '@angular/router';
import {
  formatCredits,
  formatDateTime,
  formatDuration,
  formatRelativeTime,
  resolutionLabel,
  STATUS_LABELS,
} from '../core/format/format';
import { ActingTeam } from '../core/teams/acting-team';
import { AlertComponent } from '../shared/ui/alert.component';
import { EmptyStateComponent } from '../shared/ui/empty-state.component';
import { IconComponent } from '../shared/ui/icon.component';
import { ProgressBarComponent } from '../shared/ui/progress-bar.component';
import { SpinnerComponent } from '../shared/ui/spinner.component';
import { StatusBadgeComponent } from '../shared/ui/status-badge.component';
import { ContentCredentialsPanelComponent } from './content-credentials-panel.component';
import { JobDetailStore } from './job-detail.store';

@Component({
  selector: 'cw-job-detail-page',
  imports: [
    DecimalPipe,
    RouterLink,
    AlertComponent,
    ContentCredentialsPanelComponent,
    EmptyStateComponent,
    IconComponent,
    ProgressBarComponent,
    SpinnerComponent,
    StatusBadgeComponent,
  ],
  providers: [JobDetailStore],
  templateUrl: './job-detail.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class JobDetailPage {
  protected readonly store = inject(JobDetailStore);
  private readonly router = inject(Router);

  readonly id = input.required<string>();

  /**
   * The team the job was charged to. The API answers a job only to calls acting for the team it
   * was charged to, and this page is re-created when the team changes, so it is the team in force.
   */
  protected readonly team = inject(ActingTeam).current;

  protected readonly confirmingCancel = signal(false);
  protected readonly copied = signal(false);
  protected readonly formatCredits = formatCredits;
  protected readonly formatDuration = formatDuration;
  protected readonly formatDateTime = formatDateTime;
  protected readonly formatRelativeTime = formatRelativeTime;
  protected readonly resolutionLabel = resolutionLabel;
  protected readonly statusLabels = STATUS_LABELS;
  protected readonly queueReasonLabel = (queue: QueueStanding) => QUEUE_REASON_LABELS[queue.reason];
  protected readonly teamsAheadText = teamsAheadText;

  /** "Decoding…", "Encoding…", "Uploading…": what the worker is doing, not only how far it is. */
  protected readonly stageText = computed(() => {
    const stage = this.store.job()?.stage;
    return stage ? `${JOB_STAGE_LABELS[stage]}…` : 'Rendering';
  });
  protected readonly stepText = computed(() => {
    const job = this.store.job();
    const steps = job?.totalSteps ?? job?.steps;
    if (!job || !steps) return '';
    // Past sampling the step count no longer moves; say so rather than freeze at "Step 50 of 50".
    if (job.stage && job.stage !== 'denoise' && job.stage !== 'generate') return `All ${steps} steps done`;
    if (!job.totalSteps) return '';
    return `Step ${job.step ?? 0} of ${job.totalSteps}`;
  });
  protected readonly portrait = computed(() => {
    const job = this.store.job();
    if (!job) return false;
    const [width, height] = job.resolution.split('x').map(Number);
    return height > width;
  });
  protected readonly downloadName = computed(
    () => `cineweave-${this.store.job()?.id.slice(0, 8) ?? 'video'}.mp4`,
  );

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => void this.store.load(id));
    });
  }

  protected copySettings(): void {
    void this.router.navigate(['/create'], { queryParams: { from: this.id() } });
  }

  protected async cancel(): Promise<void> {
    this.confirmingCancel.set(false);
    await this.store.cancel();
  }

  protected async copySeed(seed: number): Promise<void> {
    try {
      await navigator.clipboard.writeText(String(seed));
      this.copied.set(true);
      setTimeout(() => this.copied.set(false), 2000);
    } catch {
      // Clipboard refused (insecure origin): the seed is on screen to copy by hand.
    }
  }
}

/**
 * "4 jobs of 2 other teams ahead, and 1 of your team's": whose work is in front, from the fair
 * order the API reports. Other teams are only ever counts. Empty when nothing is ahead.
 */
export function teamsAheadText(queue: QueueStanding): string {
  // An API older than fair queueing reports neither count: say nothing rather than guess.
  if (queue.teamJobsAhead === undefined || queue.teamsAhead === undefined) return '';
  const others = queue.position - queue.teamJobsAhead;
  const own = queue.teamJobsAhead === 0 ? '' : `${queue.teamJobsAhead} of your team's`;
  if (others === 0) return own ? `${own} ahead` : '';
  const teams = `${queue.teamsAhead} other team${queue.teamsAhead === 1 ? '' : 's'}`;
  const theirs = `${others} job${others === 1 ? '' : 's'} of ${teams} ahead`;
  return own ? `${theirs}, and ${own}` : theirs;
}
