import { Injectable, computed, inject, signal } from '@angular/core';
import type { InvitationPreview, TeamSummary } from '@cineweave/contracts';
import { ApiError, errorMessage } from '../core/api/api-error';
import { CineweaveApi } from '../core/api/cineweave-api';
import { TeamsStore } from './teams.store';

/** A refusal, in words: a heading for what happened and the API's own explanation. */
export interface InvitationProblem {
  heading: string;
  message: string;
}

/** Headings for the refusals an invitation link can meet, by HTTP status. */
function problemOf(error: unknown, action: 'open' | 'accept'): InvitationProblem {
  const message = errorMessage(error);
  if (!(error instanceof ApiError))
    return { heading: `The invitation could not be ${action === 'open' ? 'opened' : 'accepted'}`, message };
  switch (error.status) {
    case 404:
      return {
        heading: 'This invitation link is not valid',
        message: `${message} Check that the whole link was copied, or ask for a new invitation.`,
      };
    case 403:
      return { heading: 'This invitation is for someone else', message };
    case 409:
      return { heading: 'This invitation was already used', message };
    case 410:
      return {
        heading: 'This invitation has expired',
        message: `${message} Ask the team for a new invitation.`,
      };
    default:
      return { heading: `The invitation could not be ${action === 'open' ? 'opened' : 'accepted'}`, message };
  }
}

/** The /invite/:token page: what the link invites to, and accepting it. */
@Injectable()
export class InvitationStore {
  private readonly api = inject(CineweaveApi);
  private readonly teams = inject(TeamsStore);
  private readonly previewState = signal<InvitationPreview | null>(null);
  private readonly problemState = signal<InvitationProblem | null>(null);
  private readonly acceptingState = signal(false);

  readonly preview = this.previewState.asReadonly();
  readonly problem = this.problemState.asReadonly();
  readonly accepting = this.acceptingState.asReadonly();
  readonly loading = computed(() => this.previewState() === null && this.problemState() === null);
  /** Why the invitation can no longer be accepted, when its status says so. */
  readonly closedReason = computed(() => {
    const preview = this.previewState();
    switch (preview?.status) {
      case 'accepted':
        return 'This invitation has already been accepted. Each link can be used once.';
      case 'revoked':
        return `This invitation was withdrawn by the team. Ask ${preview.invitedBy} for a new one.`;
      case 'expired':
        return `This invitation expired. Ask ${preview.invitedBy} for a new one.`;
      default:
        return null;
    }
  });
  readonly alreadyMember = computed(() => {
    const preview = this.previewState();
    return preview ? this.teams.teams().some((team) => team.id === preview.team.id) : false;
  });

  async load(token: string): Promise<void> {
    this.problemState.set(null);
    this.previewState.set(null);
    try {
      this.previewState.set(await this.api.invitation(token));
    } catch (error) {
      this.problemState.set(problemOf(error, 'open'));
    }
  }

  /** Joins the team and makes it the one the portal acts for; null (and the reason shown) when refused. */
  async accept(token: string): Promise<TeamSummary | null> {
    this.acceptingState.set(true);
    this.problemState.set(null);
    try {
      return await this.teams.join(token);
    } catch (error) {
      this.problemState.set(problemOf(error, 'accept'));
      return null;
    } finally {
      this.acceptingState.set(false);
    }
  }
}
