import { Injectable } from '@nestjs/common';
import type { AdminTeam, Page, PlanId } from '@cineweave/contracts';
import { Database } from '../../core/database/database.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { TimestampCursorSchema, decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { AccountsRepository } from '../accounts/accounts.repository.ts';
import { AuditService } from '../audit/audit.service.ts';
import { type AdminTeamRow, TeamsRepository } from './teams.repository.ts';

const viewOf = (row: AdminTeamRow): AdminTeam => ({
  id: row.id,
  name: row.name,
  personal: row.personal,
  organization: row.organization,
  plan: row.planId,
  balance: row.balance,
  reserved: row.reserved,
  activeJobs: row.activeJobs,
  memberCount: row.memberCount,
  createdAt: row.createdAt.toISOString(),
});

const noSuchTeam = (teamId: string) => new DomainError('NOT_FOUND', `Team ${teamId} was not found.`);

/** What install admins do to teams: list them, and set a team's plan (grants: AccountsService.grantToTeam). */
@Injectable()
export class AdminTeamsService {
  constructor(
    private readonly db: Database,
    private readonly teams: TeamsRepository,
    private readonly accounts: AccountsRepository,
    private readonly audit: AuditService,
  ) {}

  async page(cursor: string | undefined, limit: number): Promise<Page<AdminTeam>> {
    const after = decodeCursor(cursor, TimestampCursorSchema);
    const rows = await this.teams.adminPage(after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map(viewOf),
      nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null,
    };
  }

  async team(teamId: string): Promise<AdminTeam> {
    const row = await this.teams.adminTeam(teamId);
    if (!row) throw noSuchTeam(teamId);
    return viewOf(row);
  }

  /** Plans attach to teams; an admin's plan is granted monthly (a month bought online ends here). */
  async setPlan(teamId: string, plan: PlanId): Promise<AdminTeam> {
    await this.db.transaction(async (tx) => {
      const before = await this.accounts.lockPlan(teamId, tx);
      const team = await this.teams.lock(teamId, tx);
      if (!before || !team) throw noSuchTeam(teamId);
      if (before.planId === plan && before.planPaidUntil === null) return;
      await this.teams.setPlan(teamId, plan, tx);
      await this.audit.record(
        {
          action: 'plan.changed',
          target: { type: 'account', id: teamId },
          before: { plan: before.planId, paidUntil: before.planPaidUntil?.toISOString() ?? null },
          after: { plan, paidUntil: null },
          organizationId: team.organizationId,
        },
        tx,
      );
    });
    return this.team(teamId);
  }
}
