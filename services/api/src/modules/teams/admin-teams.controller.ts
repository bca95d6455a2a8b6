import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AdminTeamPageSchema,
  AdminTeamSchema,
  CreditsSummarySchema,
  GrantTeamCreditsRequestSchema,
  SetTeamPlanRequestSchema,
} from '@cineweave/contracts';
import { z } from 'zod';
import { AdminOnly } from '../../core/auth/auth.decorators.ts';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { PageQueryFields } from '../../core/http/cursor.ts';
import { AcceptsJson, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { AccountsService } from '../accounts/accounts.service.ts';
import { AdminTeamsService } from './admin-teams.service.ts';
import { TeamIdParams } from './teams.dto.ts';

class PageQuery extends zodDto(z.strictObject(PageQueryFields)) {}
class GrantDto extends zodDto(GrantTeamCreditsRequestSchema) {}
class SetPlanDto extends zodDto(SetTeamPlanRequestSchema) {}

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/admin/teams')
export class AdminTeamsController {
  constructor(
    private readonly teams: AdminTeamsService,
    private readonly accounts: AccountsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every team with its plan, credits and member count (admin)' })
  @RespondsWith(AdminTeamPageSchema)
  list(@Query() query: PageQuery) {
    return this.teams.page(query.cursor, query.limit);
  }

  @Post(':id/credits')
  @HttpCode(200)
  @ApiOperation({ summary: 'Grant credits to a team, or adjust them with a negative amount (admin)' })
  @RespondsWith(CreditsSummarySchema, 200, "The team's credits after the grant")
  @AcceptsJson(GrantTeamCreditsRequestSchema, { amount: 5000, reason: 'Q1 allocation for the design team' })
  grant(@CurrentPrincipal() principal: Principal, @Param() params: TeamIdParams, @Body() body: GrantDto) {
    return this.accounts.grantToTeam(params.id, body.amount, body.reason, principal.userId);
  }

  @Put(':id/plan')
  @ApiOperation({ summary: "Set a team's plan, granted monthly (admin; audited)" })
  @RespondsWith(AdminTeamSchema)
  @AcceptsJson(SetTeamPlanRequestSchema, { plan: 'pro' })
  setPlan(@Param() params: TeamIdParams, @Body() body: SetPlanDto) {
    return this.teams.setPlan(params.id, body.plan);
  }
}
