import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { fieldErrors } from '@cineweave/contracts';
import { DomainError } from '../errors/domain-error.ts';
import type { ZodDtoClass } from './zod-dto.ts';

const WHERE: Record<ArgumentMetadata['type'], string> = {
  body: 'body',
  query: 'query string',
  param: 'path',
  custom: 'request',
};

/**
 * The one validation pipe: every body, query and path DTO is a contracts zod schema. Strict
 * schemas refuse unknown fields; defaults are applied here, so services see complete values.
 */
@Injectable()
export class ZodValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const schema = (metadata.metatype as Partial<ZodDtoClass> | undefined)?.zodSchema;
    if (!schema) return value;
    if (metadata.type === 'body' && (value === undefined || value === null || typeof value !== 'object')) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'The body must be a JSON object sent with Content-Type: application/json.',
      );
    }
    const result = schema.safeParse(value ?? {});
    if (!result.success) {
      const errors = fieldErrors(result.error.issues);
      throw new DomainError(
        'VALIDATION_FAILED',
        `The ${WHERE[metadata.type]} has ${errors.length === 1 ? 'a problem' : `${errors.length} problems`}: ${errors
          .map((e) => `${e.field}: ${e.message}`)
          .join('; ')}`,
        errors,
      );
    }
    return result.data;
  }
}
