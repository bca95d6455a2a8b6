import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyListSchema, CreatedApiKeySchema, UuidSchema } from '@cineweave/contracts';
import { z } from 'zod';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { AcceptsJson, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { ApiKeysService } from './api-keys.service.ts';
import { type Account } from '../accounts/accounts.service.ts';
import { CurrentAccount } from '../accounts/current-account.decorator.ts';

class CreateApiKeyDto extends zodDto(
  z.strictObject({
    name: z
      .string({ error: 'name must be a string' })
      .trim()
      .min(1, { error: 'name must not be empty' })
      .max(100, { error: 'name must be at most 100 characters' })
      // eslint-disable-next-line no-control-regex
      .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), {
        error: 'name must not contain control characters',
      }),
  }),
) {}
class ApiKeyIdParams extends zodDto(z.strictObject({ id: UuidSchema })) {}

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key; the key is shown in this answer only' })
  @HttpCode(201)
  @RespondsWith(CreatedApiKeySchema, 201, 'The key: shown in this answer only, never again')
  @AcceptsJson(CreateApiKeyDto.zodSchema, { name: 'nightly render pipeline' })
  create(
    @CurrentPrincipal() principal: Principal,
    // The key acts in the team the request names (header), else the caller's default team.
    @CurrentAccount() team: Account,
    @Body() body: CreateApiKeyDto,
  ) {
    return this.keys.create(principal.userId, team, body.name);
  }

  @Get()
  @ApiOperation({ summary: 'List your API keys (never the keys themselves)' })
  @RespondsWith(ApiKeyListSchema)
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: await this.keys.list(principal.userId) };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API key' })
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Revoked: the key stops working at once' })
  async revoke(@CurrentPrincipal() principal: Principal, @Param() params: ApiKeyIdParams) {
    await this.keys.revoke(principal.userId, params.id);
  }
}
