import { Body, Controller, Delete, Get, HttpCode, Param, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TeamMemberListSchema, TeamMemberViewSchema, UpdateMemberRequestSchema } from '@cineweave/contracts';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AcceptsJson, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { MembersService } from './members.service.ts';
import { TeamIdParams, TeamMemberParams } from './teams.dto.ts';

class UpdateMemberDto extends zodDto(UpdateMemberRequestSchema) {}

@ApiTags('teams')
@ApiBearerAuth()
@Controller('v1/teams/:id/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @ApiOperation({ summary: "A team's members, their roles and this month's credits (any member)" })
  @RespondsWith(TeamMemberListSchema)
  async list(@CurrentPrincipal() principal: Principal, @Param() params: TeamIdParams) {
    return { items: await this.members.list(principal, params.id) };
  }

  @Patch(':userId')
  @ApiOperation({ summary: "Change a member's role (owner, admin; owner only by an owner)" })
  @RespondsWith(TeamMemberViewSchema)
  @AcceptsJson(UpdateMemberRequestSchema, { role: 'admin' })
  changeRole(
    @CurrentPrincipal() principal: Principal,
    @Param() params: TeamMemberParams,
    @Body() body: UpdateMemberDto,
  ) {
    return this.members.changeRole(principal, params.id, params.userId, body.role);
  }

  @Delete(':userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a member (owner, admin), or leave a team yourself' })
  @ApiResponse({ status: 204, description: 'Removed: they can no longer act for the team' })
  async remove(@CurrentPrincipal() principal: Principal, @Param() params: TeamMemberParams) {
    await this.members.remove(principal, params.id, params.userId);
  }
}
