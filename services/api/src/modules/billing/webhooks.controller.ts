import { Controller, HttpCode, Logger, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PaymentWebhookAckSchema } from '@cineweave/contracts';
import type { Request } from 'express';
import { Public } from '../../core/auth/auth.decorators.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { PaymentEventSchema, PaymentsService } from './payments.service.ts';
import { WebhookVerifier } from './truelayer/webhook-verifier.ts';

/**
 * TrueLayer's payment webhooks. Nothing is read from the body before the signature over its raw
 * bytes is verified; a verified duplicate is acknowledged so TrueLayer stops redelivering it.
 */
@ApiExcludeController()
@Controller('v1/webhooks')
export class WebhooksController {
  private readonly logger = new Logger(WebhooksController.name);

  constructor(
    private readonly verifier: WebhookVerifier,
    private readonly payments: PaymentsService,
  ) {}

  @Public()
  @Post('truelayer')
  @HttpCode(200)
  @RespondsWith(PaymentWebhookAckSchema)
  async truelayer(@Req() request: Request & { rawBody?: Buffer }) {
    if (!request.rawBody) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'The webhook has no JSON body to verify. Nothing was changed.',
      );
    }
    await this.verifier.verify({
      path: request.originalUrl.split('?')[0],
      headers: request.headers,
      rawBody: request.rawBody,
    });
    const event = PaymentEventSchema.safeParse(request.body);
    if (!event.success) {
      this.logger.warn('Ignored a verified webhook without an event id');
      return { outcome: 'ignored' };
    }
    return { outcome: await this.payments.applyEvent(event.data) };
  }
}
