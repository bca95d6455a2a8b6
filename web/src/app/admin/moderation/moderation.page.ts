import { ChangeDetectionStrategy, Component, effect, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { ModerationFailMode } from '@cineweave/contracts';
import { formatDateTime } from '../../core/format/format';
import { AlertComponent } from '../../shared/ui/alert.component';
import { EmptyStateComponent } from '../../shared/ui/empty-state.component';
import { SpinnerComponent } from '../../shared/ui/spinner.component';
import { ModerationStore } from './moderation.store';

/** One entry per line, blank lines dropped. */
const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);

@Component({
  selector: 'cw-moderation-page',
  imports: [RouterLink, AlertComponent, EmptyStateComponent, SpinnerComponent],
  providers: [ModerationStore],
  templateUrl: './moderation.page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ModerationPage {
  protected readonly store = inject(ModerationStore);
  protected readonly formatDateTime = formatDateTime;

  protected readonly terms = signal('');
  protected readonly patterns = signal('');
  protected readonly failMode = signal<ModerationFailMode | ''>('');

  constructor() {
    void this.store.load();
    // The form starts from the policy as loaded (and as saved).
    effect(() => {
      const policy = this.store.policy();
      if (!policy) return;
      this.terms.set(policy.terms.join('\n'));
      this.patterns.set(policy.patterns.join('\n'));
      this.failMode.set(policy.failMode ?? '');
    });
  }

  protected async save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    await this.store.save({
      terms: lines(this.terms()),
      patterns: lines(this.patterns()),
      failMode: this.failMode() || null,
    });
  }

  protected value(event: Event): string {
    return (event.target as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement).value;
  }
}
