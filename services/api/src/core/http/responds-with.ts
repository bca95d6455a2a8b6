import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBody, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

export const RESPONSE_CONTRACT = 'cineweave:response-contract';

/** The JSON schema of a contracts schema as OpenAPI 3.0 reads it (what the route sends: its output). */
export function openApiSchemaOf(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'output', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

/**
 * Declares what a route answers on success: the contracts schema the answer is serialized through
 * (by `ResponseContractInterceptor`) and the same schema in the OpenAPI document, so the docs,
 * the wire and the clients that import the schema cannot drift apart.
 */
export function RespondsWith(schema: z.ZodType, status = 200, description = 'OK'): MethodDecorator {
  return applyDecorators(
    SetMetadata(RESPONSE_CONTRACT, schema),
    ApiResponse({
      status,
      description,
      content: { 'application/json': { schema: openApiSchemaOf(schema) } },
    }),
  );
}

/**
 * Documents a JSON request body: the contracts schema the validation pipe applies, and an example,
 * which must pass that schema (checked when the controller loads, so /docs never shows a bad one).
 */
export function AcceptsJson(schema: z.ZodType, example: unknown): MethodDecorator {
  const checked = schema.safeParse(example);
  if (!checked.success)
    throw new Error(`The documented example does not pass its schema: ${checked.error.message}`);
  const jsonSchema = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' });
  return ApiBody({ schema: { ...(jsonSchema as object), example } });
}
