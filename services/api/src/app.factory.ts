import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.ts';
import type { AppConfig } from './core/config/app-config.ts';
import { buildOpenApiDocument } from './core/http/openapi-document.ts';
import { jsonBodies } from './core/http/json-body.ts';
import { VIDEOS_PATH } from './modules/videos/videos.controller.ts';
import { UPLOADS_PATH } from './modules/uploads/uploads.controller.ts';
import { httpMetricsMiddleware } from './core/metrics/http-metrics.middleware.ts';
import { MetricsService } from './core/metrics/metrics.service.ts';
import { requestContextMiddleware } from './modules/audit/request-context.ts';

/** Builds the whole HTTP application; `main.ts` and the integration tests share it. */
export async function createApp(
  config: AppConfig,
  options: { logs?: boolean } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    bodyParser: false,
    ...(options.logs === false ? { logger: false } : {}),
  });
  if (options.logs !== false) app.useLogger(app.get(Logger));
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.set('x-powered-by', false);
  app.use(
    helmet({
      // /docs serves Swagger UI's inline bootstrap script.
      contentSecurityPolicy: {
        directives: { scriptSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:', 'https:'] },
      },
      crossOriginResourcePolicy: { policy: 'cross-origin' },
    }),
  );
  app.enableCors({
    origin: config.env.CORS_ORIGINS.length > 0 ? config.env.CORS_ORIGINS : false,
    credentials: true,
    exposedHeaders: ['Retry-After', 'Idempotent-Replayed', 'Location'],
  });
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  app.use(
    jsonBodies(config.env.MAX_JSON_BODY_BYTES, {
      multipartOnly: [UPLOADS_PATH],
      multipartToo: [VIDEOS_PATH],
    }),
  );
  // After body parsing, so the request's async context is the one its handler runs in (audit rows).
  app.use(requestContextMiddleware);
  app.enableShutdownHooks();

  const document = buildOpenApiDocument(app);
  const express = app.getHttpAdapter().getInstance() as {
    get: (path: string, handler: (req: Request, res: Response) => void) => void;
  };
  express.get('/openapi.json', (_request, response) => void response.json(document));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/json' });
  return app;
}
