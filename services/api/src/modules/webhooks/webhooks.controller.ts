import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  CreateWebhookRequestSchema,
  RotateWebhookSecretRequestSchema,
  UpdateWebhookRequestSchema,
  UuidSchema,
  WebhookDeliveryPageSchema,
  WebhookDeliveryViewSchema,
  WebhookEndpointListSchema,
  WebhookEndpointViewSchema,
  WebhookEndpointWithSecretSchema,
} from '@cineweave/contracts';
import { z } from 'zod';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import { PageQueryFields } from '../../core/http/cursor.ts';
import { AcceptsJson, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { WebhooksService } from './webhooks.service.ts';

class CreateWebhookDto extends zodDto(CreateWebhookRequestSchema) {}
class UpdateWebhookDto extends zodDto(UpdateWebhookRequestSchema) {}
class RotateSecretDto extends zodDto(RotateWebhookSecretRequestSchema) {}
class EndpointParams extends zodDto(z.strictObject({ id: UuidSchema })) {}
class DeliveryParams extends zodDto(z.strictObject({ id: UuidSchema, deliveryId: UuidSchema })) {}
class DeliveriesQuery extends zodDto(z.strictObject(PageQueryFields)) {}

/** Outgoing webhooks (Standard Webhooks) of the caller's account. */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({ summary: 'Add a webhook endpoint; its signing secret is shown in this answer only' })
  @HttpCode(201)
  @RespondsWith(WebhookEndpointWithSecretSchema, 201, 'The endpoint and its whsec_ secret, shown this once')
  @AcceptsJson(CreateWebhookRequestSchema, {
    url: 'https://hooks.example.com/cineweave',
    description: 'Render notifications for the editing suite',
    eventTypes: ['job.succeeded', 'job.failed'],
  })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateWebhookDto) {
    return this.webhooks.create(principal.userId, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List your webhook endpoints' })
  @RespondsWith(WebhookEndpointListSchema)
  list(@CurrentPrincipal() principal: Principal) {
    return this.webhooks.list(principal.userId);
  }

  /** The signing identity of per-job `webhookUrl`s (its secret is answered once). */
  @Post('job-urls')
  @ApiOperation({ summary: 'Create the secret that signs deliveries to per-job webhookUrl' })
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
  @ApiOperation({ summary: 'Get a webhook endpoint' })
  @RespondsWith(WebhookEndpointViewSchema)
  get(@CurrentPrincipal() principal: Principal, @Param() params: EndpointParams) {
    return this.webhooks.get(principal.userId, params.id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a webhook endpoint (URL, events, enabled)' })
  @RespondsWith(WebhookEndpointViewSchema)
  @AcceptsJson(UpdateWebhookRequestSchema, { enabled: true })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param() params: EndpointParams,
    @Body() dto: UpdateWebhookDto,
  ) {
    return this.webhooks.update(principal.userId, params.id, dto);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a webhook endpoint' })
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Deleted: nothing more is sent to it' })
  async remove(@CurrentPrincipal() principal: Principal, @Param() params: EndpointParams) {
    await this.webhooks.remove(principal.userId, params.id);
  }

  @Post(':id/rotate-secret')
  @ApiOperation({ summary: "Rotate an endpoint's signing secret, with an overlap window" })
  @HttpCode(200)
  @RespondsWith(
    WebhookEndpointWithSecretSchema,
    200,
    'The new secret, shown this once; the old one keeps signing through the overlap',
  )
  @AcceptsJson(RotateWebhookSecretRequestSchema, { overlapSeconds: 86400 })
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param() params: EndpointParams,
    @Body() dto: RotateSecretDto,
  ) {
    return this.webhooks.rotateSecret(principal.userId, params.id, dto);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "An endpoint's delivery log" })
  @RespondsWith(WebhookDeliveryPageSchema)
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param() params: EndpointParams,
    @Query() query: DeliveriesQuery,
  ) {
    return this.webhooks.deliveries(principal.userId, params.id, query);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @ApiOperation({ summary: 'Send a delivery again, with the same webhook-id' })
  @HttpCode(202)
  @RespondsWith(WebhookDeliveryViewSchema, 202, 'The delivery, queued again with the same webhook-id')
  redeliver(@CurrentPrincipal() principal: Principal, @Param() params: DeliveryParams) {
    return this.webhooks.redeliver(principal.userId, params.id, params.deliveryId);
  }

  @Post(':id/test')
  @ApiOperation({ summary: 'Send a webhook.test message to an endpoint' })
  @HttpCode(202)
  @RespondsWith(WebhookDeliveryViewSchema, 202, 'A webhook.test delivery, queued')
  test(@CurrentPrincipal() principal: Principal, @Param() params: EndpointParams) {
    return this.webhooks.sendTest(principal.userId, params.id);
  }
}
