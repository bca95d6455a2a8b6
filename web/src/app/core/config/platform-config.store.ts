import { Injectable, computed, inject, signal } from '@angular/core';
import type { PublicConfig } from '@cineweave/contracts';
import { errorMessage } from '../api/api-error';
import { CineweaveApi } from '../api/cineweave-api';

/** `GET /v1/config`: the sign-in mode and public settings, learnt at start instead of at build time. */
@Injectable({ providedIn: 'root' })
export class PlatformConfigStore {
  private readonly api = inject(CineweaveApi);
  private readonly state = signal<PublicConfig | null>(null);
  private readonly failure = signal<string | null>(null);
  private loading: Promise<PublicConfig | null> | null = null;

  readonly config = this.state.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly authMode = computed(() => this.state()?.authMode ?? null);
  readonly retentionHours = computed(() => this.state()?.retentionHours ?? 24);
  readonly paymentsProvider = computed(() => this.state()?.paymentsProvider ?? 'none');

  load(): Promise<PublicConfig | null> {
    this.loading ??= this.api.config().then(
      (config) => {
        this.state.set(config);
        this.failure.set(null);
        return config;
      },
      (error: unknown) => {
        this.failure.set(errorMessage(error));
        this.loading = null;
        return null;
      },
    );
    return this.loading;
  }
}
