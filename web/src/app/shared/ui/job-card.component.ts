import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { JobView } from '@cineweave/contracts';
import { MediaUrls } from '../../core/api/media-urls';
import { formatRelativeTime, resolutionLabel } from '../../core/format/format';
import { IconComponent, type IconName } from './icon.component';
import { ProgressBarComponent } from './progress-bar.component';
import { StatusBadgeComponent } from './status-badge.component';

/** One job as a poster in a gallery: thumbnail when ready, live status otherwise. */
@Component({
  selector: 'cw-job-card',
  imports: [RouterLink, IconComponent, StatusBadgeComponent, ProgressBarComponent],
  template: `
    <a
      [routerLink]="['/jobs', job().id]"
      class="group block overflow-hidden rounded-2xl border border-white/8 bg-night-850/80 transition hover:-translate-y-0.5 hover:border-brand-purple/50 hover:shadow-xl hover:shadow-brand-purple/10"
      [attr.aria-label]="'Open job: ' + job().prompt"
    >
      <div class="relative aspect-video overflow-hidden bg-night-800">
        @if (thumbnail(); as src) {
          <img
            [src]="src"
            alt=""
            class="size-full object-cover transition duration-500 group-hover:scale-105"
            loading="lazy"
          />
        } @else {
          <div
            class="poster-placeholder grid size-full place-items-center text-white/50"
            [class.animate-pulse]="active()"
          >
            <cw-icon [name]="placeholderIcon()" [size]="8" />
          </div>
        }
        <div class="absolute top-2 left-2"><cw-status-badge [status]="job().status" /></div>
        @if (job().status === 'succeeded') {
          <span
            class="absolute right-2 bottom-2 grid size-9 place-items-center rounded-full bg-black/60 text-white opacity-80 backdrop-blur transition group-hover:opacity-100"
            aria-hidden="true"
            ><cw-icon name="play" [size]="4"
          /></span>
        }
      </div>
      <div class="space-y-2 p-4">
        <p class="line-clamp-2 text-sm font-medium text-ink">{{ job().prompt }}</p>
        @if (job().status === 'running') {
          <cw-progress-bar [percent]="job().progress" label="Render progress" />
        }
        <p class="flex flex-wrap gap-x-3 text-xs text-ink-muted">
          <span>{{ when() }}</span><span>{{ size() }}</span
          ><span>{{ job().durationSeconds }} s</span
          ><span data-testid="job-card-model">{{ job().model }}</span>
        </p>
      </div>
    </a>
  `,
  styles: `
    .poster-placeholder {
      background:
        radial-gradient(circle at 30% 30%, rgb(139 92 246 / 0.35), transparent 55%),
        radial-gradient(circle at 75% 70%, rgb(59 130 246 / 0.3), transparent 55%),
        radial-gradient(circle at 60% 20%, rgb(244 63 94 / 0.25), transparent 50%), #120c20;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class JobCardComponent {
  private readonly media = inject(MediaUrls);
  readonly job = input.required<JobView>();
  protected readonly thumbnail = signal<string | null>(null);
  protected readonly active = computed(
    () => this.job().status === 'queued' || this.job().status === 'running',
  );
  protected readonly placeholderIcon = computed<IconName>(() => {
    const status = this.job().status;
    if (status === 'failed') return 'alert';
    if (status === 'cancelled') return 'stop';
    if (status === 'queued' || status === 'expired') return 'clock';
    return 'film';
  });
  protected readonly when = computed(() => formatRelativeTime(this.job().createdAt));
  protected readonly size = computed(() => resolutionLabel(this.job().resolution).split(' (')[0]);
  private readonly thumbnailLink = computed(() => this.job().thumbnailUrl);

  constructor() {
    effect((onCleanup) => {
      let current = true;
      onCleanup(() => (current = false));
      void this.media.resolve(this.thumbnailLink()).then((url) => current && this.thumbnail.set(url));
    });
  }
}
