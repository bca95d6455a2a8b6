import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CreateInvitationRequestSchema,
  CreatedInvitationSchema,
  InvitationPreviewSchema,
  TeamInvitationListSchema,
  TeamSummarySchema,
} from '@cineweave/contracts';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AcceptsJson, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { InvitationsService } from './invitations.service.ts';
import { InvitationTokenParams, TeamIdParams, TeamInvitationParams } from './teams.dto.ts';

class CreateInvitationDto extends zodDto(CreateInvitationRequestSchema) {}

@ApiTags('teams')
@ApiBearerAuth()
@Controller('v1')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get('teams/:id/invitations')
  @ApiOperation({ summary: "A team's invitations and their status (owner, admin)" })
  @RespondsWith(TeamInvitationListSchema)
  async list(@CurrentPrincipal() principal: Principal, @Param() params: TeamIdParams) {
    return { items: await this.invitations.list(principal, params.id) };
  }

  @Post('teams/:id/invitations')
  @HttpCode(201)
  @ApiOperation({ summary: 'Invite by link, optionally bound to an email address (owner, admin)' })
  @RespondsWith(CreatedInvitationSchema, 201, 'The invitation with its link: shown in this answer only')
  @AcceptsJson(CreateInvitationRequestSchema, {
    email: 'editor@example.com',
    role: 'member',
    expiresInDays: 7,
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Param() params: TeamIdParams,
    @Body() body: CreateInvitationDto,
  ) {
    return this.invitations.create(principal, params.id, body);
  }

  @Delete('teams/:id/invitations/:invitationId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an invitation (owner, admin)' })
  @ApiResponse({ status: 204, description: 'Revoked: its link no longer works' })
  async revoke(@CurrentPrincipal() principal: Principal, @Param() params: TeamInvitationParams) {
    await this.invitations.revoke(principal, params.id, params.invitationId);
  }

  @Get('invitations/:token')
  @ApiOperation({ summary: 'What an invitation link invites to, and whether it is still good' })
  @RespondsWith(InvitationPreviewSchema)
  preview(@Param() params: InvitationTokenParams) {
    return this.invitations.preview(params.token);
  }

  @Post('invitations/:token/accept')
  @HttpCode(200)
  @ApiOperation({ summary: 'Accept an invitation: join its team with its role' })
  @RespondsWith(TeamSummarySchema, 200, 'The team you joined')
  accept(@CurrentPrincipal() principal: Principal, @Param() params: InvitationTokenParams) {
    return this.invitations.accept(principal, params.token);
  }
}
