import { RequestMethod, type INestApplication, type Type } from '@nestjs/common';
import {
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
} from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import { RESPONSE_CONTRACT } from '../../src/core/http/responds-with.ts';

/** One route handler, read from its decorators: what it answers and under which contract. */
export interface RouteAnswer {
  route: string;
  /** The contracts schema the answer is serialized through (`@RespondsWith`), if any. */
  hasContract: boolean;
  /** Whether its success answer is JSON: Nest's default unless the route says otherwise. */
  answersJson: boolean;
}

type Handler = (...args: unknown[]) => unknown;

/** Every route handler of every controller the app registered. */
export function routeAnswers(app: INestApplication): RouteAnswer[] {
  const controllers = new Set<Type>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) controllers.add(wrapper.metatype as Type);
  }
  return [...controllers].flatMap(routeAnswersOf);
}

/** The route handlers of one controller class. */
export function routeAnswersOf(controller: Type): RouteAnswer[] {
  const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
  const prototype = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype).flatMap((name) => {
    const handler = prototype[name];
    if (typeof handler !== 'function') return [];
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (method === undefined) return [];
    const path = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '');
    return [
      {
        route: `${RequestMethod[method]} /${[base, path].filter((part) => part && part !== '/').join('/')}`,
        hasContract: Reflect.getMetadata(RESPONSE_CONTRACT, handler) !== undefined,
        answersJson: answersJson(handler as Handler),
      },
    ];
  });
}

const isJson = (mediaType: string) => /json/i.test(mediaType);

/**
 * A route answers JSON unless it answers no body (204), fixes another Content-Type, or documents
 * its success answers only in other media types (an event stream, video bytes): what Nest sends
 * when a handler returns an object is JSON, so silence counts as JSON.
 */
function answersJson(handler: Handler): boolean {
  if (Reflect.getMetadata(HTTP_CODE_METADATA, handler) === 204) return false;
  const headers = (Reflect.getMetadata(HEADERS_METADATA, handler) ?? []) as { name: string; value: string }[];
  const contentType = headers.find((header) => header.name.toLowerCase() === 'content-type');
  if (contentType) return isJson(contentType.value);
  const produces = (Reflect.getMetadata(DECORATORS.API_PRODUCES, handler) ?? []) as string[];
  if (produces.length > 0 && !produces.some(isJson)) return false;
  const responses = (Reflect.getMetadata(DECORATORS.API_RESPONSE, handler) ?? {}) as Record<
    string,
    { content?: Record<string, unknown> }
  >;
  const successMedia = Object.entries(responses)
    .filter(([status]) => /^2\d\d$/.test(status))
    .map(([, answer]) => Object.keys(answer.content ?? {}));
  if (successMedia.length > 0 && successMedia.every((media) => media.length > 0))
    return successMedia.some((media) => media.some(isJson));
  return true;
}
