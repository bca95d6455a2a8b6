import { Injectable, computed, inject, signal } from '@angular/core';
import type { AdminJobView, AdminStats, AdminUser, JobStatus } from '@cineweave/contracts';
import { ApiError, errorMessage } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { CreditsStore } from '../core/credits/credits.store';

export interface GrantForm {
  userId: string;
  amount: number;
  reason: string;
}

/** The admin area: platform stats, every user with balances, every job, and credit grants. */
@Injectable()
export class AdminStore {
  private readonly api = inject(CineweaveApi);
  private readonly credits = inject(CreditsStore);

  private readonly statsState = signal<AdminStats | null>(null);
  private readonly statsErrorState = signal<string | null>(null);
  private readonly usersState = signal<AdminUser[] | null>(null);
  private readonly usersCursor = signal<string | null>(null);
  private readonly usersErrorState = signal<string | null>(null);
  private readonly jobsState = signal<AdminJobView[] | null>(null);
  private readonly jobsCursor = signal<string | null>(null);
  private readonly jobsStatusState = signal<JobStatus | null>(null);
  private readonly jobsErrorState = signal<string | null>(null);
  private readonly grantingState = signal(false);
  private readonly grantErrorState = signal<string | null>(null);
  private readonly grantFieldErrorsState = signal<Record<string, string>>({});
  private readonly grantedState = signal<string | null>(null);

  readonly stats = this.statsState.asReadonly();
  readonly statsError = this.statsErrorState.asReadonly();
  readonly users = computed(() => this.usersState() ?? []);
  readonly usersLoading = computed(() => this.usersState() === null && !this.usersErrorState());
  readonly usersError = this.usersErrorState.asReadonly();
  readonly usersHasMore = computed(() => this.usersCursor() !== null);
  readonly jobs = computed(() => this.jobsState() ?? []);
  readonly jobsLoading = computed(() => this.jobsState() === null && !this.jobsErrorState());
  readonly jobsError = this.jobsErrorState.asReadonly();
  readonly jobsHasMore = computed(() => this.jobsCursor() !== null);
  readonly jobsStatus = this.jobsStatusState.asReadonly();
  readonly granting = this.grantingState.asReadonly();
  readonly grantError = this.grantErrorState.asReadonly();
  readonly grantFieldErrors = this.grantFieldErrorsState.asReadonly();
  readonly granted = this.grantedState.asReadonly();

  readonly totalJobs = computed(() =>
    Object.values(this.statsState()?.jobsByStatus ?? {}).reduce((sum, count) => sum + (count ?? 0), 0),
  );

  loadAll(): void {
    void this.loadStats();
    void this.loadUsers(true);
    void this.loadJobs(true);
  }

  async loadStats(): Promise<void> {
    this.statsErrorState.set(null);
    try {
      this.statsState.set(await this.api.adminStats());
    } catch (error) {
      this.statsErrorState.set(errorMessage(error));
    }
  }

  async loadUsers(reset = false): Promise<void> {
    this.usersErrorState.set(null);
    if (reset) {
      this.usersState.set(null);
      this.usersCursor.set(null);
    }
    try {
      const page = await this.api.adminUsers(this.usersCursor());
      this.usersState.update((users) => [...(users ?? []), ...page.items]);
      this.usersCursor.set(page.nextCursor);
    } catch (error) {
      this.usersErrorState.set(errorMessage(error));
    }
  }

  async filterJobs(status: JobStatus | null): Promise<void> {
    this.jobsStatusState.set(status);
    await this.loadJobs(true);
  }

  async loadJobs(reset = false): Promise<void> {
    this.jobsErrorState.set(null);
    if (reset) {
      this.jobsState.set(null);
      this.jobsCursor.set(null);
    }
    try {
      const page = await this.api.adminJobs({ status: this.jobsStatusState(), cursor: this.jobsCursor() });
      this.jobsState.update((jobs) => [...(jobs ?? []), ...page.items]);
      this.jobsCursor.set(page.nextCursor);
    } catch (error) {
      this.jobsErrorState.set(errorMessage(error));
    }
  }

  /** Grants credits; true on success, when the users and stats are re-read to show the new balance. */
  async grant(form: GrantForm): Promise<boolean> {
    const errors: Record<string, string> = {};
    if (!form.userId.trim()) errors['userId'] = 'Enter the user id (the identity’s sub) to grant credits to.';
    if (!Number.isInteger(form.amount) || form.amount <= 0)
      errors['amount'] = 'Grant a whole number of credits, at least 1.';
    if (!form.reason.trim()) errors['reason'] = 'Say why: the reason is kept in the user’s ledger.';
    this.grantFieldErrorsState.set(errors);
    this.grantedState.set(null);
    if (Object.keys(errors).length > 0) return false;

    this.grantingState.set(true);
    this.grantErrorState.set(null);
    try {
      const request = { userId: form.userId.trim(), amount: form.amount, reason: form.reason.trim() };
      await this.api.grantCredits(request);
      this.grantedState.set(`Granted ${request.amount} credits to ${request.userId}.`);
      void this.loadUsers(true);
      void this.loadStats();
      // An admin granting to themselves sees it in the header at once.
      void this.credits.refresh();
      return true;
    } catch (error) {
      this.grantErrorState.set(errorMessage(error));
      if (error instanceof ApiError) this.grantFieldErrorsState.set(error.fieldMessages());
      return false;
    } finally {
      this.grantingState.set(false);
    }
  }
}
