import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CreateTeamRequestSchema,
  SetDefaultTeamRequestSchema,
  TeamListSchema,
  TeamSummarySchema,
  TeamViewSchema,
  UpdateTeamLimitsRequestSchema,
  UpdateTeamRequestSchema,
} from '@cineweave/contracts';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AcceptsJson, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { TeamIdParams } from './teams.dto.ts';
import { TeamsService } from './teams.service.ts';

class CreateTeamDto extends zodDto(CreateTeamRequestSchema) {}
class UpdateTeamDto extends zodDto(UpdateTeamRequestSchema) {}
class UpdateLimitsDto extends zodDto(UpdateTeamLimitsRequestSchema) {}
class SetDefaultTeamDto extends zodDto(SetDefaultTeamRequestSchema) {}

@ApiTags('teams')
@ApiBearerAuth()
@Controller('v1')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get('teams')
  @ApiOperation({ summary: 'The teams you belong to, with your role in each' })
  @RespondsWith(TeamListSchema)
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.teams.list(principal) };
  }

  @Post('teams')
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a team you own (free plan, no credits until an admin grants some)' })
  @RespondsWith(TeamSummarySchema, 201, 'The new team')
  @AcceptsJson(CreateTeamRequestSchema, { name: 'Studio editors', organizationName: 'Northlight Studio' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateTeamDto) {
    return this.teams.create(principal, body);
  }

  @Get('teams/:id')
  @ApiOperation({ summary: "A team's page: credits, limits, this month's usage, members (any member)" })
  @RespondsWith(TeamViewSchema)
  view(@CurrentPrincipal() principal: Principal, @Param() params: TeamIdParams) {
    return this.teams.view(principal, params.id);
  }

  @Patch('teams/:id')
  @ApiOperation({ summary: 'Rename a team (owner, admin)' })
  @RespondsWith(TeamViewSchema)
  @AcceptsJson(UpdateTeamRequestSchema, { name: 'Studio editors (EU)' })
  rename(
    @CurrentPrincipal() principal: Principal,
    @Param() params: TeamIdParams,
    @Body() body: UpdateTeamDto,
  ) {
    return this.teams.rename(principal, params.id, body.name);
  }

  @Patch('teams/:id/limits')
  @ApiOperation({ summary: "Change a team's limits; null lifts one (owner, admin)" })
  @RespondsWith(TeamViewSchema)
  @AcceptsJson(UpdateTeamLimitsRequestSchema, { monthlyCreditQuota: 5000, memberMonthlyCap: null })
  limits(
    @CurrentPrincipal() principal: Principal,
    @Param() params: TeamIdParams,
    @Body() body: UpdateLimitsDto,
  ) {
    return this.teams.updateLimits(principal, params.id, body);
  }

  @Put('me/default-team')
  @ApiOperation({ summary: 'Choose the team your calls act for when they name none' })
  @RespondsWith(TeamSummarySchema)
  @AcceptsJson(SetDefaultTeamRequestSchema, { teamId: '5b0c4f5e-3d1c-4a57-9f0e-0a1b2c3d4e5f' })
  setDefault(@CurrentPrincipal() principal: Principal, @Body() body: SetDefaultTeamDto) {
    return this.teams.setDefault(principal, body.teamId);
  }
}
