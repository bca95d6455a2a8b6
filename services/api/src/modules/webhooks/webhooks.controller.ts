import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CreateWebhookRequestSchema,
  listOf,
  pageOf,
  RotateWebhookSecretRequestSchema,
  UpdateWebhookRequestSchema,
  UuidSchema,
  WebhookDeliveryViewSchema,
  WebhookEndpointViewSchema,
  WebhookEndpointWithSecretSchema,
} from '@cineweave/contracts';
import { z } from 'zod';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { PageQueryFields } from '../../core/http/cursor.ts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { WebhooksService } from './webhooks.service.ts';

class CreateWebhookDto extends zodDto(CreateWebhookRequestSchema) {}
class UpdateWebhookDto extends zodDto(UpdateWebhookRequestSchema) {}
class RotateSecretDto extends zodDto(RotateWebhookSecretRequestSchema) {}
class EndpointParams extends zodDto(z.strictObject({ id: UuidSchema })) {}
class DeliveryParams extends zodDto(z.strictObject({ id: UuidSchema, deliveryId: UuidSchema })) {}
class DeliveriesQuery extends zodDto(z.strictObject(PageQueryFields)) {}

const body = (schema: z.ZodType) => ApiBody({ schema: z.toJSONSchema(schema, { io: 'input' }) as object });

/** Outgoing webhooks (Standard Webhooks) of the caller's account. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @HttpCode(201)
  @RespondsWith(WebhookEndpointWithSecretSchema, 201, 'The endpoint and its whsec_ secret, shown this once')
  @body(CreateWebhookRequestSchema)
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateWebhookDto) {
    return this.webhooks.create(principal.userId, dto);
  }

  @Get()
  @RespondsWith(listOf(WebhookEndpointViewSchema))
  list(@CurrentPrincipal() principal: Principal) {
    return this.webhooks.list(principal.userId);
  }

  /** The signing identity of per-job `webhookUrl`s (its secret is answered once). */
  @Post('job-urls')
  @HttpCode(201)
  @RespondsWith(
    WebhookEndpointWithSecretSchema,
    201,
    'The secret that signs per-job webhookUrl deliveries, shown this once',
  )
  createJobUrls(@CurrentPrincipal() principal: Principal) {
    return this.webhooks.createJobUrls(principal.userId);
  }

  @Get(':id')
  @RespondsWith(WebhookEndpointViewSchema)
  get(@CurrentPrincipal() principal: Principal, @Param() params: EndpointParams) {
    return this.webhooks.get(principal.userId, params.id);
  }

  @Patch(':id')
  @RespondsWith(WebhookEndpointViewSchema)
  @body(UpdateWebhookRequestSchema)
  update(
    @CurrentPrincipal() principal: Principal,
    @Param() params: EndpointParams,
    @Body() dto: UpdateWebhookDto,
  ) {
    return this.webhooks.update(principal.userId, params.id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Deleted: nothing more is sent to it' })
  async remove(@CurrentPrincipal() principal: Principal, @Param() params: EndpointParams) {
    await this.webhooks.remove(principal.userId, params.id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @RespondsWith(
    WebhookEndpointWithSecretSchema,
    200,
    'The new secret, shown this once; the old one keeps signing through the overlap',
  )
  @body(RotateWebhookSecretRequestSchema)
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param() params: EndpointParams,
    @Body() dto: RotateSecretDto,
  ) {
    return this.webhooks.rotateSecret(principal.userId, params.id, dto);
  }

  @Get(':id/deliveries')
  @RespondsWith(pageOf(WebhookDeliveryViewSchema))
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param() params: EndpointParams,
    @Query() query: DeliveriesQuery,
  ) {
    return this.webhooks.deliveries(principal.userId, params.id, query);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @RespondsWith(WebhookDeliveryViewSchema, 202, 'The delivery, queued again with the same webhook-id')
  redeliver(@CurrentPrincipal() principal: Principal, @Param() params: DeliveryParams) {
    return this.webhooks.redeliver(principal.userId, params.id, params.deliveryId);
  }

  @Post(':id/test')
  @HttpCode(202)
  @RespondsWith(WebhookDeliveryViewSchema, 202, 'A webhook.test delivery, queued')
  test(@CurrentPrincipal() principal: Principal, @Param() params: EndpointParams) {
    return this.webhooks.sendTest(principal.userId, params.id);
  }
}
