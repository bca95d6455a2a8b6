import { Injectable, computed, inject, signal } from '@angular/core';
import type { ModerationDecisionView, ModerationPolicyView } from '@cineweave/contracts';
import { ApiError, errorMessage } from '../../core/api/api-error';
import { CineweaveApi, type ModerationPolicyInput } from '../../core/api/cineweave-api';

/** The install's moderation policy (organizations come later) and the decisions it produced. */
@Injectable()
export class ModerationStore {
  private readonly api = inject(CineweaveApi);

  private readonly policyState = signal<ModerationPolicyView | null>(null);
  private readonly policyErrorState = signal<string | null>(null);
  private readonly fieldErrorsState = signal<Record<string, string>>({});
  private readonly savingState = signal(false);
  private readonly savedState = signal(false);
  private readonly decisionsState = signal<ModerationDecisionView[] | null>(null);
  private readonly decisionsCursor = signal<string | null>(null);
  private readonly decisionsErrorState = signal<string | null>(null);

  readonly policy = this.policyState.asReadonly();
  readonly policyError = this.policyErrorState.asReadonly();
  readonly fieldErrors = this.fieldErrorsState.asReadonly();
  readonly saving = this.savingState.asReadonly();
  readonly saved = this.savedState.asReadonly();
  readonly decisions = computed(() => this.decisionsState() ?? []);
  readonly decisionsLoading = computed(() => this.decisionsState() === null && !this.decisionsErrorState());
  readonly decisionsError = this.decisionsErrorState.asReadonly();
  readonly decisionsHasMore = computed(() => this.decisionsCursor() !== null);

  async load(): Promise<void> {
    this.policyErrorState.set(null);
    try {
      this.policyState.set(await this.api.moderationPolicy());
    } catch (error) {
      this.policyErrorState.set(errorMessage(error));
    }
    await this.loadDecisions(true);
  }

  async loadDecisions(reset = false): Promise<void> {
    this.decisionsErrorState.set(null);
    if (reset) {
      this.decisionsState.set(null);
      this.decisionsCursor.set(null);
    }
    try {
      const page = await this.api.moderationDecisions(this.decisionsCursor());
      this.decisionsState.update((rows) => [...(rows ?? []), ...page.items]);
      this.decisionsCursor.set(page.nextCursor);
    } catch (error) {
      this.decisionsErrorState.set(errorMessage(error));
    }
  }

  async save(policy: ModerationPolicyInput): Promise<boolean> {
    this.savingState.set(true);
    this.savedState.set(false);
    this.policyErrorState.set(null);
    this.fieldErrorsState.set({});
    try {
      this.policyState.set(await this.api.updateModerationPolicy(policy));
      this.savedState.set(true);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length > 0) {
        this.fieldErrorsState.set(
          Object.fromEntries(error.fieldErrors.map((field) => [field.field.split('.')[0], field.message])),
        );
      }
      this.policyErrorState.set(errorMessage(error));
      return false;
    } finally {
      this.savingState.set(false);
    }
  }
}
