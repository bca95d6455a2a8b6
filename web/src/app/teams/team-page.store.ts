import { Injectable, computed, inject, signal } from '@angular/core';
import {
  teamRoleAtLeast,
  type CreatedInvitation,
  type TeamInvitationView,
  type TeamMemberView,
  type TeamRole,
  type TeamView,
  type UsageReport,
} from '@cineweave/contracts';
import { ApiError, errorMessage } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { SessionStore } from '../core/auth/session.store';
import { type LimitField, type LimitInputs, readLimits } from './team-limits';
import { monthToDate, usagePerDay } from './team-usage';

export interface InvitationInput {
  email: string;
  role: TeamRole;
  expiresInDays: number;
}

/**
 * One team's page: the team (role, credits, limits), its members, its invitations (admins) and
 * its usage this month. Every call names the team itself, so the page is right whichever team
 * the switcher acts for.
 */
@Injectable()
export class TeamPageStore {
  private readonly api = inject(CineweaveApi);
  private readonly session = inject(SessionStore);

  private readonly idState = signal<string | null>(null);
  private readonly teamState = signal<TeamView | null>(null);
  private readonly membersState = signal<TeamMemberView[] | null>(null);
  private readonly invitationsState = signal<TeamInvitationView[] | null>(null);
  private readonly usageState = signal<UsageReport | null>(null);
  private readonly loadErrorState = signal<string | null>(null);
  private readonly usageErrorState = signal<string | null>(null);

  private readonly limitsErrorsState = signal<Partial<Record<LimitField, string>>>({});
  private readonly limitsMessageState = signal<{ tone: 'error' | 'success'; text: string } | null>(null);
  private readonly savingLimitsState = signal(false);

  private readonly actionErrorState = signal<string | null>(null);
  private readonly busyState = signal<string | null>(null);

  private readonly inviteErrorsState = signal<Record<string, string>>({});
  private readonly inviteErrorState = signal<string | null>(null);
  private readonly invitingState = signal(false);
  private readonly createdState = signal<CreatedInvitation | null>(null);

  readonly team = this.teamState.asReadonly();
  readonly members = computed(() => this.membersState() ?? []);
  readonly invitations = computed(() =>
    (this.invitationsState() ?? []).filter((i) => i.status === 'pending'),
  );
  readonly usage = this.usageState.asReadonly();
  readonly usageDays = computed(() => {
    const report = this.usageState();
    return report ? usagePerDay(report) : [];
  });
  readonly loading = computed(() => this.teamState() === null && !this.loadErrorState());
  readonly loadError = this.loadErrorState.asReadonly();
  readonly usageError = this.usageErrorState.asReadonly();
  readonly limitsErrors = this.limitsErrorsState.asReadonly();
  readonly limitsMessage = this.limitsMessageState.asReadonly();
  readonly savingLimits = this.savingLimitsState.asReadonly();
  readonly actionError = this.actionErrorState.asReadonly();
  /** The member or invitation an action is running on. */
  readonly busy = this.busyState.asReadonly();
  readonly inviteErrors = this.inviteErrorsState.asReadonly();
  readonly inviteError = this.inviteErrorState.asReadonly();
  readonly inviting = this.invitingState.asReadonly();
  /** The invitation just made: its link is shown once, to copy and pass on. */
  readonly created = this.createdState.asReadonly();

  readonly role = computed(() => this.teamState()?.role ?? null);
  /** Owners and admins manage members, invitations and limits; the API checks it again. */
  readonly canManage = computed(() => {
    const role = this.role();
    return role !== null && teamRoleAtLeast(role, 'admin');
  });
  readonly isOwner = computed(() => this.role() === 'owner');
  readonly myUserId = computed(() => this.session.me()?.user.id ?? null);
  readonly ownerCount = computed(() => this.members().filter((m) => m.role === 'owner').length);

  async load(id: string): Promise<void> {
    this.idState.set(id);
    this.loadErrorState.set(null);
    try {
      const [team, members] = await Promise.all([this.api.team(id), this.api.teamMembers(id)]);
      if (this.idState() !== id) return;
      this.teamState.set(team);
      this.membersState.set(members);
    } catch (error) {
      if (this.idState() === id) this.loadErrorState.set(errorMessage(error));
      return;
    }
    await Promise.all([this.loadInvitations(), this.loadUsage()]);
  }

  async loadUsage(): Promise<void> {
    const id = this.idState();
    if (!id) return;
    this.usageErrorState.set(null);
    try {
      this.usageState.set(await this.api.teamUsage(id, monthToDate()));
    } catch (error) {
      this.usageErrorState.set(errorMessage(error));
    }
  }

  /** The usage shown, as the API's CSV (the same month, the same team). */
  async exportCsv(): Promise<string | null> {
    const id = this.idState();
    if (!id) return null;
    this.usageErrorState.set(null);
    try {
      return await this.api.teamUsageCsv(id, monthToDate());
    } catch (error) {
      this.usageErrorState.set(errorMessage(error));
      return null;
    }
  }

  async saveLimits(inputs: LimitInputs): Promise<boolean> {
    const team = this.teamState();
    if (!team) return false;
    this.limitsMessageState.set(null);
    const { request, errors } = readLimits(inputs, team.limits);
    this.limitsErrorsState.set(errors);
    if (Object.keys(errors).length > 0) return false;
    if (Object.keys(request).length === 0) {
      this.limitsMessageState.set({
        tone: 'success',
        text: 'Nothing changed: these are the limits in force.',
      });
      return true;
    }
    this.savingLimitsState.set(true);
    try {
      await this.api.updateTeamLimits(team.id, request);
      this.teamState.set(await this.api.team(team.id));
      this.limitsMessageState.set({ tone: 'success', text: 'Limits saved. They apply to the next video.' });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length > 0)
        this.limitsErrorsState.set(error.fieldMessages() as Partial<Record<LimitField, string>>);
      this.limitsMessageState.set({ tone: 'error', text: errorMessage(error) });
      return false;
    } finally {
      this.savingLimitsState.set(false);
    }
  }

  async changeRole(member: TeamMemberView, role: TeamRole): Promise<void> {
    if (member.role === role) return;
    await this.onMember(member.userId, async (teamId) => {
      await this.api.updateMember(teamId, member.userId, role);
      await this.reloadMembers(teamId);
    });
  }

  async remove(member: TeamMemberView): Promise<void> {
    await this.onMember(member.userId, async (teamId) => {
      await this.api.removeMember(teamId, member.userId);
      await this.reloadMembers(teamId);
    });
  }

  /** Leaves the team; true when the API let us (the last owner must hand over first). */
  async leave(): Promise<boolean> {
    const me = this.myUserId();
    if (!me) return false;
    let left = false;
    await this.onMember(me, async (teamId) => {
      await this.api.removeMember(teamId, me);
      left = true;
    });
    return left;
  }

  async invite(input: InvitationInput): Promise<boolean> {
    const id = this.idState();
    if (!id) return false;
    this.inviteErrorsState.set({});
    this.inviteErrorState.set(null);
    const email = input.email.trim();
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      this.inviteErrorsState.set({
        email: 'Enter an email address, or leave it empty for a link anyone can use.',
      });
      return false;
    }
    this.invitingState.set(true);
    try {
      const created = await this.api.createInvitation(id, {
        ...(email ? { email } : {}),
        role: input.role,
        expiresInDays: input.expiresInDays,
      });
      // The API answers a path when it does not know the portal's origin (both behind one ingress): it is this origin.
      this.createdState.set({ ...created, url: new URL(created.url, document.baseURI).href });
      await this.loadInvitations();
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length > 0)
        this.inviteErrorsState.set(error.fieldMessages());
      this.inviteErrorState.set(errorMessage(error));
      return false;
    } finally {
      this.invitingState.set(false);
    }
  }

  dismissCreated(): void {
    this.createdState.set(null);
  }

  async revoke(invitation: TeamInvitationView): Promise<void> {
    await this.onMember(invitation.id, async (teamId) => {
      await this.api.revokeInvitation(teamId, invitation.id);
      if (this.createdState()?.id === invitation.id) this.createdState.set(null);
      await this.loadInvitations();
    });
  }

  private async loadInvitations(): Promise<void> {
    const id = this.idState();
    // Only owners and admins may see invitations; asking as anyone else is a 403 to no purpose.
    if (!id || !this.canManage()) return;
    try {
      this.invitationsState.set(await this.api.teamInvitations(id));
    } catch (error) {
      this.inviteErrorState.set(errorMessage(error));
    }
  }

  /** Members and the team (member count, and our own role if we changed it). */
  private async reloadMembers(teamId: string): Promise<void> {
    const [team, members] = await Promise.all([this.api.team(teamId), this.api.teamMembers(teamId)]);
    this.teamState.set(team);
    this.membersState.set(members);
  }

  private async onMember(key: string, action: (teamId: string) => Promise<void>): Promise<void> {
    const teamId = this.idState();
    if (!teamId) return;
    this.busyState.set(key);
    this.actionErrorState.set(null);
    try {
      await action(teamId);
    } catch (error) {
      this.actionErrorState.set(errorMessage(error));
    } finally {
      this.busyState.set(null);
    }
  }
}
