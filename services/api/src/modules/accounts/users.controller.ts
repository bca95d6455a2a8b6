import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MeSchema, UserInitSchema } from '@cineweave/contracts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AccountsService, type CallerTeam } from './accounts.service.ts';
import { CurrentAccount } from './current-account.decorator.ts';

@ApiTags('users')
@ApiBearerAuth()
@Controller('v1')
export class UsersController {
  constructor(private readonly accounts: AccountsService) {}

  /** Idempotent: the first call creates the user and a free account with its grant. */
  @Post('users/init')
  @ApiOperation({ summary: 'Create your account on first sign-in (idempotent)' })
  @HttpCode(200)
  @RespondsWith(UserInitSchema)
  async init(@CurrentPrincipal() principal: Principal) {
    const { account, created } = await this.accounts.ensureAccount(principal.userId, principal.email);
    return {
      created,
      user: { id: principal.userId, role: principal.role },
      credits: this.accounts.summary(account),
    };
  }

  @Get('me')
  @ApiOperation({ summary: 'Who you are, how you signed in, and your credits' })
  @RespondsWith(MeSchema)
  me(@CurrentPrincipal() principal: Principal, @CurrentAccount() account: CallerTeam) {
    return {
      user: {
        id: principal.userId,
        role: principal.role,
        email: principal.email ?? null,
        authenticatedBy: principal.via,
      },
      account: { id: account.id, plan: account.planId, createdAt: account.createdAt },
      team: { id: account.id, name: account.name, personal: account.personal, role: account.role },
      credits: this.accounts.summary(account),
    };
  }
}
