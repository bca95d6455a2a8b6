import type { z } from 'zod';

/** A class Nest can reflect on, carrying the zod schema that validates it. */
export interface ZodDtoClass<T extends z.ZodType = z.ZodType> {
  new (): z.output<T>;
  readonly zodSchema: T;
}

/**
 * Wraps a contracts schema as a DTO class: controllers declare `@Body() body: CreateJobDto`, and
 * the global `ZodValidationPipe` finds the schema through the parameter's type.
 */
export function zodDto<T extends z.ZodType>(schema: T): ZodDtoClass<T> {
  class ZodDto {
    static readonly zodSchema = schema;
  }
  return ZodDto as unknown as ZodDtoClass<T>;
}
