import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import { fieldErrors } from '@cineweave/contracts';
import { DomainError } from '../errors/domain-error.ts';
import type { ZodDtoClass } from './zod-dto.ts';

/**
 * Where a string (or a key) holds a lone UTF-16 surrogate (`"\ud800"` is valid JSON): such text
 * cannot be stored (Postgres refuses it in jsonb) or encoded as UTF-8, so it is refused here.
 */
function illFormedTextAt(value: unknown, path: (string | number)[], depth = 0): (string | number)[] | null {
  if (typeof value === 'string') return value.isWellFormed() ? null : path;
  if (!value || typeof value !== 'object' || depth > 32) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, Array.isArray(value) ? Number(key) : key];
    if (!key.isWellFormed()) return at;
    const found = illFormedTextAt(item, at, depth + 1);
    if (found) return found;
  }
  return null;
}

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
    const illFormed = illFormedTextAt(value, []);
    if (illFormed) {
      const field = illFormed.join('.') || WHERE[metadata.type];
      throw new DomainError(
        'VALIDATION_FAILED',
        `The ${WHERE[metadata.type]} has a problem: ${field}: contains a lone UTF-16 surrogate, which is not text; send valid Unicode.`,
        [{ field, message: 'contains a lone UTF-16 surrogate' }],
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
