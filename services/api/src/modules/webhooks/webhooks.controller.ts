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
import { PageQueryFields } from '../../core/http/cursor.ts';
import { AcceptsJson, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import type { CallerTeam } from '../accounts/accounts.service.ts';
import { CurrentAccount } from '../accounts/current-account.decorator.ts';
import { WebhooksService } from './webhooks.service.ts';

class CreateWebhookDto extends zodDto(CreateWebhookRequestSchema) {}
class UpdateWebhookDto extends zodDto(UpdateWebhookRequestSchema) {}
class RotateSecretDto extends zodDto(RotateWebhookSecretRequestSchema) {}
class EndpointParams extends zodDto(z.strictObject({ id: UuidSchema })) {}
class DeliveryParams extends zodDto(z.strictObject({ id: UuidSchema, deliveryId: UuidSchema })) {}
class DeliveriesQuery extends zodDto(z.strictObject(PageQueryFields)) {}

/**
 * Outgoing webhooks (Standard Webhooks) of the team the caller acts for (X-CineWeave-Team, else
 * the API key's team, else their default team). Endpoints belong to the team, so they outlive any
 * one member; configuring them and reading their deliveries (payloads, receiver answers) is an
 * admin's job, so every route needs admin or owner.
 */
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
  create(@CurrentAccount('admin') team: CallerTeam, @Body() dto: CreateWebhookDto) {
    return this.webhooks.create(team, dto);
  }

  @Get()
  @ApiOperation({ summary: "List the team's webhook endpoints" })
  @RespondsWith(WebhookEndpointListSchema)
  list(@CurrentAccount('admin') team: CallerTeam) {
    return this.webhooks.list(team);
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
  createJobUrls(@CurrentAccount('admin') team: CallerTeam) {
    return this.webhooks.createJobUrls(team);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a webhook endpoint' })
  @RespondsWith(WebhookEndpointViewSchema)
  get(@CurrentAccount('admin') team: CallerTeam, @Param() params: EndpointParams) {
    return this.webhooks.get(team, params.id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a webhook endpoint (URL, events, enabled)' })
  @RespondsWith(WebhookEndpointViewSchema)
  @AcceptsJson(UpdateWebhookRequestSchema, { enabled: true })
  update(
    @CurrentAccount('admin') team: CallerTeam,
    @Param() params: EndpointParams,
    @Body() dto: UpdateWebhookDto,
  ) {
    return this.webhooks.update(team, params.id, dto);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a webhook endpoint' })
  @HttpCode(204)
  @ApiResponse({ status: 204, description: 'Deleted: nothing more is sent to it' })
  async remove(@CurrentAccount('admin') team: CallerTeam, @Param() params: EndpointParams) {
    await this.webhooks.remove(team, params.id);
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
    @CurrentAccount('admin') team: CallerTeam,
    @Param() params: EndpointParams,
    @Body() dto: RotateSecretDto,
  ) {
    return this.webhooks.rotateSecret(team, params.id, dto);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "An endpoint's delivery log" })
  @RespondsWith(WebhookDeliveryPageSchema)
  deliveries(
    @CurrentAccount('admin') team: CallerTeam,
    @Param() params: EndpointParams,
    @Query() query: DeliveriesQuery,
  ) {
    return this.webhooks.deliveries(team, params.id, query);
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @ApiOperation({ summary: 'Send a delivery again, with the same webhook-id' })
  @HttpCode(202)
  @RespondsWith(WebhookDeliveryViewSchema, 202, 'The delivery, queued again with the same webhook-id')
  redeliver(@CurrentAccount('admin') team: CallerTeam, @Param() params: DeliveryParams) {
    return this.webhooks.redeliver(team, params.id, params.deliveryId);
  }

  @Post(':id/test')
  @ApiOperation({ summary: 'Send a webhook.test message to an endpoint' })
  @HttpCode(202)
  @RespondsWith(WebhookDeliveryViewSchema, 202, 'A webhook.test delivery, queued')
  test(@CurrentAccount('admin') team: CallerTeam, @Param() params: EndpointParams) {
    return this.webhooks.sendTest(team, params.id);
  }
}
