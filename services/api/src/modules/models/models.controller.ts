import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ModelListSchema } from '@cineweave/contracts';
import { Public } from '../../core/auth/auth.decorators.ts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { ModelsService } from './models.service.ts';

@ApiTags('models')
@Controller('v1')
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  /** Public like the plans and prices: what can be rendered is not a secret. */
  @Public()
  @Get('models')
  @ApiOperation({ summary: 'The model catalog, with which models a ready worker serves now' })
  @RespondsWith(ModelListSchema)
  list() {
    return this.models.list();
  }
}
