import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemDetailsSchema } from '@cineweave/contracts';
import { openApiSchemaOf } from './responds-with.ts';

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

function problemResponse(description: string) {
  return { description, content: { 'application/problem+json': { schema: PROBLEM_REF } } };
}

/**
 * The API's OpenAPI document: routes and success schemas come from the controllers
 * (`@RespondsWith`); every error answer is RFC 9457 problem+json, so each operation also lists
 * the 4XX and 5XX ranges with the one Problem schema instead of repeating it per status.
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CineWeave API')
      .setDescription(
        'Accounts, credits, video jobs, uploads and live job events. Authenticate with `Authorization: Bearer <API key or session token>`. Errors are application/problem+json (RFC 9457) with a stable `code`; 429 and 503 carry Retry-After.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  document.components ??= {};
  document.components.schemas = {
    ...document.components.schemas,
    Problem: openApiSchemaOf(ProblemDetailsSchema) as never,
  };
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      operation.responses['4XX'] ??= problemResponse(
        'The request was refused; `code` and `detail` say why and what to change. Nothing was changed.',
      );
      operation.responses['5XX'] ??= problemResponse(
        'The API or one of its stores failed; retry after the Retry-After seconds when given.',
      );
    }
  }
  return document;
}
