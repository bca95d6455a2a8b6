import { AsyncLocalStorage } from 'node:async_hooks';
import type { NextFunction, Request, Response } from 'express';
import type { AuthenticatedRequest } from '../../core/auth/current-principal.decorator.ts';

/**
 * The HTTP request a piece of work serves, so an audit row can name the caller, the request id
 * and the source address without every service passing them down. Outside a request (timers,
 * queue consumers) there is none and the actor is the system.
 */
const storage = new AsyncLocalStorage<AuthenticatedRequest>();

export function requestContextMiddleware(request: Request, _response: Response, next: NextFunction): void {
  storage.run(request, next);
}

export function currentRequest(): AuthenticatedRequest | undefined {
  return storage.getStore();
}
