import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DurationSecondsSchema,
  ModelIdSchema,
  PlanListSchema,
  QuoteSchema,
  RenderPresetSchema,
  ResolutionSchema,
} from '@cineweave/contracts';
import { z } from 'zod';
import { Public } from '../../core/auth/auth.decorators.ts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { ModelAdmission } from '../models/model-admission.service.ts';
import { PlansService } from './plans.service.ts';

class QuoteQueryDto extends zodDto(
  z.strictObject({
    // Left out: the model's defaults, as a job would get them.
    resolution: ResolutionSchema.optional(),
    durationSeconds: z.coerce
      .number({ error: 'durationSeconds must be a number' })
      .pipe(DurationSecondsSchema)
      .optional(),
    model: ModelIdSchema.optional(),
    preset: RenderPresetSchema.optional(),
  }),
) {}

@ApiTags('plans')
@Controller('v1')
export class PlansController {
  constructor(
    private readonly plans: PlansService,
    private readonly models: ModelAdmission,
  ) {}

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
    // The same model choice and limits as admission: a quote for a job that would be refused is a 422.
    const { params } = this.models.resolve({ prompt: 'quote', ...query }, false);
    return {
      resolution: params.resolution,
      durationSeconds: params.durationSeconds,
      model: params.model,
      preset: params.preset,
      credits: this.plans.quote(params),
    };
  }
}
