import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DurationSecondsSchema,
  JOB_DEFAULTS,
  PlanListSchema,
  QuoteSchema,
  ResolutionSchema,
} from '@cineweave/contracts';
import { z } from 'zod';
import { Public } from '../../core/auth/auth.decorators.ts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { PlansService } from './plans.service.ts';

class QuoteQueryDto extends zodDto(
  z.strictObject({
    resolution: ResolutionSchema.default(JOB_DEFAULTS.resolution),
    durationSeconds: z.coerce
      .number({ error: 'durationSeconds must be a number' })
      .pipe(DurationSecondsSchema)
      .default(JOB_DEFAULTS.durationSeconds),
  }),
) {}

@ApiTags('plans')
@Controller('v1')
export class PlansController {
  constructor(private readonly plans: PlansService) {}

  @Public()
  @Get('plans')
  @ApiOperation({ summary: 'List the plans with their credits, active-job limits and prices' })
  @RespondsWith(PlanListSchema)
  async list() {
    return { items: await this.plans.list() };
  }

  @Public()
  @Get('pricing/quote')
  @ApiOperation({ summary: 'Price a job of this size before creating it' })
  @RespondsWith(QuoteSchema)
  quote(@Query() query: QuoteQueryDto) {
    return {
      resolution: query.resolution,
      durationSeconds: query.durationSeconds,
      credits: this.plans.quote(query),
    };
  }
}
