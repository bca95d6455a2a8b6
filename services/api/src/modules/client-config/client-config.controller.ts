import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { PublicConfigSchema } from '@cineweave/contracts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { AppConfig } from '../../core/config/app-config.ts';
import { Public } from '../../core/auth/auth.decorators.ts';

/** What the portal needs to know before sign-in; public settings only, never a secret. */
@ApiTags('config')
@Controller('v1/config')
export class ClientConfigController {
  constructor(private readonly config: AppConfig) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'What the portal needs before sign-in: auth mode, payments, form defaults' })
  @RespondsWith(PublicConfigSchema)
  get() {
    const { env } = this.config;
    return {
      authMode: env.AUTH_MODE,
      ...(env.AUTH_MODE === 'clerk' && env.CLERK_PUBLISHABLE_KEY
        ? { clerkPublishableKey: env.CLERK_PUBLISHABLE_KEY }
        : {}),
      ...(env.AUTH_MODE === 'oidc' && env.OIDC_ISSUER
        ? { oidc: { issuer: env.OIDC_ISSUER, clientId: env.OIDC_CLIENT_ID ?? env.OIDC_AUDIENCE ?? '' } }
        : {}),
      paymentsProvider: env.PAYMENTS_PROVIDER,
      retentionHours: env.RETENTION_HOURS,
      formDefaults: {
        quality: env.FORM_DEFAULT_QUALITY,
        durationSeconds: env.FORM_DEFAULT_DURATION_SECONDS,
        steps: env.FORM_DEFAULT_STEPS,
      },
    };
  }
}
