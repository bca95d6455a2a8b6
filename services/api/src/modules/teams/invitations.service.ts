import { Injectable } from '@nestjs/common';
import type {
  CreateInvitationRequest,
  CreatedInvitation,
  InvitationPreview,
  TeamInvitationView,
  TeamSummary,
} from '@cineweave/contracts';
import { AppConfig } from '../../core/config/app-config.ts';
import { Database } from '../../core/database/database.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AccountsRepository } from '../accounts/accounts.repository.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { AuditService } from '../audit/audit.service.ts';
import { hashInvitationToken, invitationStatus, newInvitationToken } from './invitation-token.ts';
import { type InvitationRow, InvitationsRepository } from './invitations.repository.ts';
import { MembersRepository } from './members.repository.ts';
import { TeamAccess, requireTeamRole } from '../accounts/team-access.ts';
import { TeamsService } from './teams.service.ts';

function viewOf(invitation: InvitationRow): TeamInvitationView {
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    invitedBy: invitation.invitedBy,
    createdAt: invitation.createdAt.toISOString(),
    expiresAt: invitation.expiresAt.toISOString(),
    status: invitationStatus(invitation),
  };
}

const unknownLink = () =>
  new DomainError('NOT_FOUND', 'This invitation link is not known; ask whoever sent it for a new one.');

/** Invitations by link (optionally bound to an email address): made, listed and revoked by admins, accepted by the invited. */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly db: Database,
    private readonly invitations: InvitationsRepository,
    private readonly members: MembersRepository,
    private readonly accounts: AccountsService,
    private readonly users: AccountsRepository,
    private readonly teams: TeamsService,
    private readonly access: TeamAccess,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  async list(principal: Principal, teamId: string): Promise<TeamInvitationView[]> {
    await this.access.require(principal, teamId, 'admin');
    return (await this.invitations.list(teamId)).map(viewOf);
  }

  /** The answer carries the token and the portal link once; only the token's hash is stored. */
  async create(
    principal: Principal,
    teamId: string,
    body: CreateInvitationRequest,
  ): Promise<CreatedInvitation> {
    const team = await this.access.require(principal, teamId, 'admin');
    if (team.personal) {
      throw new DomainError(
        'CONFLICT',
        `Team "${team.name}" is a personal team: nobody else can join it. Create a team (POST /v1/teams) and invite people there.`,
      );
    }
    if (body.role === 'owner' && team.role !== 'owner') {
      throw new DomainError(
        'FORBIDDEN',
        `Only an owner of team "${team.name}" may invite an owner; your role is ${team.role}.`,
      );
    }
    const { token, tokenHash } = newInvitationToken();
    const invitation = await this.db.transaction(async (tx) => {
      // Under the team's membership locks, so a role taken away a moment ago counts.
      const role = (await this.members.lockAll(teamId, tx)).find((m) => m.userId === principal.userId)?.role;
      requireTeamRole(team, role ?? null, body.role === 'owner' ? 'owner' : 'admin');
      const created = await this.invitations.create(
        {
          teamId,
          tokenHash,
          email: body.email ?? null,
          role: body.role,
          invitedBy: principal.userId,
          expiresInDays: body.expiresInDays,
        },
        tx,
      );
      await this.audit.record(
        {
          action: 'team.invitation-created',
          target: { type: 'team-invitation', id: created.id },
          after: {
            teamId,
            email: created.email,
            role: created.role,
            expiresAt: created.expiresAt.toISOString(),
          },
          organizationId: team.organizationId,
        },
        tx,
      );
      return created;
    });
    return { ...viewOf(invitation), token, url: `${this.portalOrigin()}/invite/${token}` };
  }

  async revoke(principal: Principal, teamId: string, invitationId: string): Promise<void> {
    const team = await this.access.require(principal, teamId, 'admin');
    await this.db.transaction(async (tx) => {
      const invitation = await this.invitations.lockInTeam(teamId, invitationId, tx);
      if (!invitation) {
        throw new DomainError(
          'NOT_FOUND',
          `Invitation ${invitationId} was not found in team "${team.name}".`,
        );
      }
      const status = invitationStatus(invitation);
      if (status === 'revoked') return;
      if (status === 'accepted') {
        throw new DomainError(
          'INVALID_STATE',
          `Invitation ${invitationId} was already accepted by ${invitation.acceptedBy}; remove the member instead.`,
        );
      }
      await this.invitations.revoke(invitationId, tx);
      await this.audit.record(
        {
          action: 'team.invitation-revoked',
          target: { type: 'team-invitation', id: invitationId },
          before: { teamId, status },
          after: { status: 'revoked' },
          organizationId: team.organizationId,
        },
        tx,
      );
    });
  }

  /** What a link invites to, for anyone signed in who holds it; the status says if it is still good. */
  async preview(token: string): Promise<InvitationPreview> {
    const invitation = await this.invitations.byTokenHash(hashInvitationToken(token), false);
    if (!invitation) throw unknownLink();
    return {
      team: { id: invitation.teamId, name: invitation.teamName },
      organization: invitation.organization,
      role: invitation.role,
      invitedBy: invitation.invitedBy,
      expiresAt: invitation.expiresAt.toISOString(),
      status: invitationStatus(invitation),
    };
  }

  /**
   * Joins the caller to the team with the invitation's role. Once: accepting again is a no-op for
   * the person who accepted it and a 409 for anyone else.
   */
  async accept(principal: Principal, token: string): Promise<TeamSummary> {
    await this.accounts.ensureAccount(principal.userId, principal.email);
    // The token's address, else the one stored at first sign-in (both came from the identity provider).
    const callerEmail = principal.email ?? (await this.users.emailOf(principal.userId));
    const teamId = await this.db.transaction(async (tx) => {
      const invitation = await this.invitations.byTokenHash(hashInvitationToken(token), true, tx);
      if (!invitation) throw unknownLink();
      const team = `team "${invitation.teamName}"`;
      switch (invitationStatus(invitation)) {
        case 'accepted':
          if (invitation.acceptedBy === principal.userId) return invitation.teamId;
          throw new DomainError(
            'CONFLICT',
            `This invitation to ${team} was already accepted by someone else.`,
          );
        case 'revoked':
          throw new DomainError(
            'GONE',
            `This invitation to ${team} was revoked; ask its admins for a new one.`,
          );
        case 'expired':
          throw new DomainError(
            'GONE',
            `This invitation to ${team} expired on ${invitation.expiresAt.toISOString()}; ask its admins for a new one.`,
          );
        case 'pending':
          break;
      }
      if (invitation.email !== null && invitation.email.toLowerCase() !== callerEmail?.toLowerCase()) {
        throw new DomainError(
          'FORBIDDEN',
          `This invitation was sent to ${invitation.email}; sign in as that address to accept it.`,
        );
      }
      if (invitation.teamPersonal) {
        throw new DomainError('CONFLICT', `${team} is a personal team: nobody else can join it.`);
      }
      await this.members.lockAll(invitation.teamId, tx);
      const current = await this.members.roleOf(invitation.teamId, principal.userId, tx);
      if (current !== null) {
        throw new DomainError(
          'CONFLICT',
          `You are already a member of ${team} (as ${current}); the invitation stays for someone else.`,
        );
      }
      await this.members.add(invitation.teamId, principal.userId, invitation.role, 'invitation', tx);
      await this.invitations.accept(invitation.id, principal.userId, tx);
      await this.audit.record(
        {
          action: 'team.invitation-accepted',
          target: { type: 'team-invitation', id: invitation.id },
          before: { status: 'pending' },
          after: { teamId: invitation.teamId, userId: principal.userId, role: invitation.role },
          organizationId: invitation.organization?.id ?? null,
        },
        tx,
      );
      return invitation.teamId;
    });
    return this.teams.summary(principal.userId, teamId);
  }

  /**
   * Where the portal is: PORTAL_URL, else the first CORS origin (a portal on its own origin), else
   * the API's own origin (the ingress serves portal and API together), as a path.
   */
  private portalOrigin(): string {
    const { PORTAL_URL, CORS_ORIGINS } = this.config.env;
    return (PORTAL_URL || CORS_ORIGINS[0] || '').replace(/\/+$/, '');
  }
}
