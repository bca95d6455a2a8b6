import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  ModerationDecisionPageSchema,
  ModerationPolicySchema,
  ModerationPolicyViewSchema,
} from '@cineweave/contracts';
import { z } from 'zod';
import { AdminOnly } from '../../core/auth/auth.decorators.ts';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { PageQueryFields } from '../../core/http/cursor.ts';
import { AcceptsJson, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { ModerationPolicyService } from './moderation-policy.service.ts';
import { ModerationService } from './moderation.service.ts';

class PolicyDto extends zodDto(ModerationPolicySchema) {}
class PageQuery extends zodDto(z.strictObject(PageQueryFields)) {}

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/admin/moderation')
export class ModerationController {
  constructor(
    private readonly policies: ModerationPolicyService,
    private readonly moderation: ModerationService,
  ) {}

  @Get('policy')
  @ApiOperation({ summary: "The install's content policy: blocked terms and patterns, fail mode (admin)" })
  @RespondsWith(ModerationPolicyViewSchema)
  policy() {
    return this.policies.view();
  }

  @Put('policy')
  @RespondsWith(ModerationPolicyViewSchema, 200, 'The policy as now in force')
  @ApiOperation({ summary: 'Replace the content policy (admin; audited)' })
  @AcceptsJson(ModerationPolicySchema, {
    terms: ['gore'],
    patterns: ['\\bdeep ?fake\\b'],
    failMode: 'closed',
  })
  update(@CurrentPrincipal() principal: Principal, @Body() body: PolicyDto) {
    return this.policies.update(body, principal.userId);
  }

  /** Refusals and classifier failures, newest first. */
  @Get('decisions')
  @ApiOperation({ summary: 'Moderation decisions, newest first (admin)' })
  @RespondsWith(ModerationDecisionPageSchema)
  decisions(@Query() query: PageQuery) {
    return this.moderation.decisions(query.cursor, query.limit);
  }
}
