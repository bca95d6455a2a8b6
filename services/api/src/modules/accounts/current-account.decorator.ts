import { type ExecutionContext, Injectable, type PipeTransform, createParamDecorator } from '@nestjs/common';
import { TEAM_HEADER, type TeamRole } from '@cineweave/contracts';
import type { AuthenticatedRequest } from '../../core/auth/current-principal.decorator.ts';
import { type CallerTeam, AccountsService } from './accounts.service.ts';
import { requireTeamRole } from './team-access.ts';

type AccountRequest = AuthenticatedRequest & { account?: Promise<CallerTeam> };

interface CallerAndNeed {
  request: AccountRequest;
  needs: TeamRole;
}

const CallerRequest = createParamDecorator((needs: TeamRole, context: ExecutionContext): CallerAndNeed => ({
  request: context.switchToHttp().getRequest<AccountRequest>(),
  needs,
}));

/**
 * Resolves the team the caller acts for (the `X-CineWeave-Team` header, else the API key's team,
 * else their default team; a fresh sign-in gets a personal team at once) once per request, and
 * checks the route's role: the promise stays on the request, so a second `@CurrentAccount()`
 * shares it.
 */
@Injectable()
export class CallerAccountPipe implements PipeTransform<CallerAndNeed, Promise<CallerTeam>> {
  constructor(private readonly accounts: AccountsService) {}

  async transform({ request, needs }: CallerAndNeed): Promise<CallerTeam> {
    const { principal } = request;
    if (!principal) throw new Error('CurrentAccount used on a route without authentication');
    const header = request.headers[TEAM_HEADER];
    request.account ??= this.accounts.forPrincipal(principal, typeof header === 'string' ? header : null);
    const team = await request.account;
    requireTeamRole(team, team.role, needs);
    return team;
  }
}

/**
 * The caller's team account, as a handler parameter, after checking that their role in it is at
 * least `needs` (default `viewer`: any member). Its module must import AccountsModule.
 */
export const CurrentAccount = (needs: TeamRole = 'viewer') => CallerRequest(needs, CallerAccountPipe);
