import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';
import type { z } from 'zod';
import { RESPONSE_CONTRACT } from './responds-with.ts';

/** An answer that does not match its contract: a bug on our side, answered as a 500 and logged. */
export class ResponseContractError extends Error {
  constructor(route: string, issues: z.core.$ZodIssue[]) {
    super(
      `The answer of ${route} does not match its contract: ${issues
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ')}`,
    );
    this.name = 'ResponseContractError';
  }
}

/**
 * Serializes every successful answer through the contracts schema its route declares with
 * `@RespondsWith`: fields the contract does not name are dropped, and an answer that breaks the
 * contract fails here instead of in a client. Error answers (problem+json) are the filter's.
 */
@Injectable()
export class ResponseContractInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const schema = this.reflector.get<z.ZodType | undefined>(RESPONSE_CONTRACT, context.getHandler());
    if (!schema || context.getType() !== 'http') return next.handle();
    const response = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((body: unknown) => {
        if (body === undefined || response.statusCode >= 300) return body;
        // A route that answers another representation (CSV) set its type: the contract is the JSON one.
        const type = response.getHeader('content-type');
        if (type !== undefined && !/json/i.test(String(type))) return body;
        const result = schema.safeParse(body);
        if (!result.success) {
          const request = context.switchToHttp().getRequest<{ method: string; route?: { path: string } }>();
          throw new ResponseContractError(
            `${request.method} ${request.route?.path ?? '?'}`,
            result.error.issues,
          );
        }
        return result.data;
      }),
    );
  }
}
