import { Injectable, computed, inject, signal } from '@angular/core';
import type { ApiKeyView, CreatedApiKey, LedgerItem } from '@cineweave/contracts';
import { errorMessage } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';

/** The account page: the credit ledger (cursor pages) and API keys. */
@Injectable()
export class AccountStore {
  private readonly api = inject(CineweaveApi);

  private readonly ledgerState = signal<LedgerItem[]>([]);
  private readonly ledgerCursor = signal<string | null>(null);
  private readonly ledgerDone = signal(false);
  private readonly ledgerLoadingState = signal(false);
  private readonly ledgerErrorState = signal<string | null>(null);

  private readonly keysState = signal<ApiKeyView[] | null>(null);
  private readonly keysErrorState = signal<string | null>(null);
  private readonly creatingState = signal(false);
  private readonly createdState = signal<CreatedApiKey | null>(null);
  private readonly keyActionErrorState = signal<string | null>(null);
  private readonly revokingState = signal<string | null>(null);

  readonly ledger = this.ledgerState.asReadonly();
  readonly ledgerLoading = this.ledgerLoadingState.asReadonly();
  readonly ledgerError = this.ledgerErrorState.asReadonly();
  readonly ledgerHasMore = computed(() => !this.ledgerDone());
  readonly ledgerEmpty = computed(() => this.ledgerDone() && this.ledgerState().length === 0);

  readonly keys = computed(() => this.keysState() ?? []);
  readonly keysLoading = computed(() => this.keysState() === null && !this.keysErrorState());
  readonly keysError = this.keysErrorState.asReadonly();
  readonly creating = this.creatingState.asReadonly();
  /** The key just created: its secret is shown this once and never again. */
  readonly created = this.createdState.asReadonly();
  readonly keyActionError = this.keyActionErrorState.asReadonly();
  readonly revoking = this.revokingState.asReadonly();

  async loadLedger(): Promise<void> {
    if (this.ledgerLoadingState() || this.ledgerDone()) return;
    this.ledgerLoadingState.set(true);
    this.ledgerErrorState.set(null);
    try {
      const page = await this.api.ledger(this.ledgerCursor());
      this.ledgerState.update((entries) => [...entries, ...page.items]);
      this.ledgerCursor.set(page.nextCursor);
      this.ledgerDone.set(!page.nextCursor);
    } catch (error) {
      this.ledgerErrorState.set(errorMessage(error));
    } finally {
      this.ledgerLoadingState.set(false);
    }
  }

  async loadKeys(): Promise<void> {
    this.keysErrorState.set(null);
    try {
      this.keysState.set(await this.api.apiKeys());
    } catch (error) {
      this.keysErrorState.set(errorMessage(error));
    }
  }

  async createKey(name: string): Promise<boolean> {
    const trimmed = name.trim();
    if (!trimmed) {
      this.keyActionErrorState.set('Give the key a name, such as the script or machine that will use it.');
      return false;
    }
    this.creatingState.set(true);
    this.keyActionErrorState.set(null);
    try {
      const created = await this.api.createApiKey(trimmed);
      this.createdState.set(created);
      const { key: _secret, ...listed } = created;
      this.keysState.update((keys) => [listed, ...(keys ?? [])]);
      return true;
    } catch (error) {
      this.keyActionErrorState.set(errorMessage(error));
      return false;
    } finally {
      this.creatingState.set(false);
    }
  }

  dismissCreated(): void {
    this.createdState.set(null);
  }

  async revokeKey(id: string): Promise<void> {
    this.revokingState.set(id);
    this.keyActionErrorState.set(null);
    try {
      await this.api.revokeApiKey(id);
      this.keysState.update((keys) => (keys ?? []).filter((key) => key.id !== id));
      if (this.createdState()?.id === id) this.createdState.set(null);
    } catch (error) {
      this.keyActionErrorState.set(errorMessage(error));
    } finally {
      this.revokingState.set(null);
    }
  }
}
