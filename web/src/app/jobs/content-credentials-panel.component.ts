import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { ContentCredentialsSummary } from '@cineweave/contracts';
import { formatDateTime } from '../core/format/format';
import { IconComponent } from '../shared/ui/icon.component';

/** What each verification outcome means to a person, not to a C2PA validator. */
const VERIFICATION: Record<ContentCredentialsSummary['validation'], { label: string; detail: string }> = {
  trusted: {
    label: 'Verified',
    detail: 'The signature and the video match, and the signer is on the C2PA trust list.',
  },
  valid: {
    label: 'Verified, untrusted signer',
    detail:
      'The signature and the video match; the signer is not on the C2PA trust list, so viewers show it as untrusted.',
  },
  invalid: { label: 'Did not verify', detail: 'The credentials do not match this video.' },
};

/**
 * The job page's "Content Credentials" panel: the C2PA manifest the worker signed into the MP4
 * (who signed it, when it was made, with which model), as `GET /v1/jobs/:id` reports it.
 */
@Component({
  selector: 'cw-content-credentials-panel',
  imports: [IconComponent],
  template: `
    <section class="card p-5" aria-labelledby="credentials-heading" data-testid="content-credentials">
      <h2
        id="credentials-heading"
        class="flex items-center gap-2 font-display text-base font-semibold text-ink"
      >
        <cw-icon name="shield" [size]="5" />
        Content Credentials
      </h2>
      @if (credentials(); as c) {
        <p class="mt-2 text-sm text-ink-muted">
          The MP4 carries a C2PA manifest that marks it as made by AI. Any Content Credentials viewer can
          check it.
        </p>
        <dl class="mt-4 space-y-2.5 text-sm">
          <div class="flex justify-between gap-3">
            <dt class="text-ink-muted">Signer</dt>
            <dd class="text-right text-ink" data-testid="credentials-signer">{{ c.signer }}</dd>
          </div>
          @if (c.issuer) {
            <div class="flex justify-between gap-3">
              <dt class="text-ink-muted">Issued by</dt>
              <dd class="text-right text-ink">{{ c.issuer }}</dd>
            </div>
          }
          <div class="flex justify-between gap-3">
            <dt class="text-ink-muted">Created</dt>
            <dd class="text-ink" data-testid="credentials-created">{{ created() }}</dd>
          </div>
          <div class="flex justify-between gap-3">
            <dt class="text-ink-muted">Model</dt>
            <dd class="truncate text-ink" data-testid="credentials-model">{{ c.modelId }}</dd>
          </div>
          @if (c.generator) {
            <div class="flex justify-between gap-3">
              <dt class="text-ink-muted">Made with</dt>
              <dd class="text-ink">{{ c.generator }}</dd>
            </div>
          }
          <div class="border-t border-white/8 pt-2.5">
            <dt class="text-ink-muted">Verification</dt>
            <dd
              class="mt-1 font-semibold"
              [class]="c.validation === 'invalid' ? 'text-rose-300' : 'text-emerald-300'"
              data-testid="credentials-validation"
            >
              {{ verification().label }}
            </dd>
            <dd class="mt-1 text-ink-muted">{{ verification().detail }}</dd>
          </div>
        </dl>
      } @else {
        <p class="mt-2 text-sm text-ink-muted" data-testid="credentials-none">
          This video was delivered without Content Credentials (signing is switched off on this installation).
        </p>
      }
    </section>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ContentCredentialsPanelComponent {
  readonly credentials = input<ContentCredentialsSummary | null>(null);

  protected readonly created = computed(() => formatDateTime(this.credentials()?.created));
  protected readonly verification = computed(() => VERIFICATION[this.credentials()?.validation ?? 'invalid']);
}
