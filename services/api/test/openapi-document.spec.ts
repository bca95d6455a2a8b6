import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './support/harness.ts';
import { routeAnswers } from './support/json-routes.ts';

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};

/** Routes the document leaves out on purpose: scraping, the docs themselves, TrueLayer's callback. */
const UNDOCUMENTED = new Set(['GET /metrics', 'GET /openapi.json', 'POST /v1/webhooks/truelayer']);

/** Every `METHOD /path` Express serves, in OpenAPI's `{param}` spelling. */
function servedRoutes(h: Harness): string[] {
  const express = h.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  return express.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods).map(
          (method) => `${method.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`,
        )
      : [],
  );
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => refsIn(item, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else refsIn(inner, found);
    }
  }
  return found;
}

describe('OpenAPI document', () => {
  let h: Harness;
  let document: Document;
  beforeAll(async () => {
    h = await startHarness('openapi');
    document = (await request(h.server).get('/openapi.json').expect(200)).body as Document;
  });
  afterAll(async () => {
    await h?.close();
  });

  const operations = () =>
    Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        route: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );

  it('should document every route the API serves, and nothing it does not', () => {
    const served = servedRoutes(h).filter(
      (route) => !UNDOCUMENTED.has(route) && !route.includes(' /docs') && !route.endsWith('{/*splat}'),
    );
    const documented = operations().map(({ route }) => route);
    expect(served.length).toBeGreaterThan(25);
    expect([...documented].sort()).toEqual([...new Set(served)].sort());
  });

  it('should give every operation a success answer with a schema, and problem+json for 4XX and 5XX', () => {
    for (const { route, operation } of operations()) {
      const success = Object.entries(operation.responses).filter(([status]) => /^[23]\d\d$/.test(status));
      expect(success.length, `${route} documents no success answer`).toBeGreaterThan(0);
      for (const [status, answer] of success) {
        if (status === '204' || status.startsWith('3')) continue;
        const schemas = Object.values(answer.content ?? {}).filter((media) => media.schema !== undefined);
        const streams = Object.keys(answer.content ?? {}).includes('text/event-stream');
        expect(schemas.length > 0 || streams, `${route} ${status} has no schema`).toBe(true);
      }
      for (const range of ['4XX', '5XX']) {
        expect(
          operation.responses[range]?.content?.['application/problem+json']?.schema,
          `${route} ${range}`,
        ).toEqual({
          $ref: '#/components/schemas/Problem',
        });
      }
    }
  });

  it('should serialize every JSON answer through a contracts schema (@RespondsWith)', () => {
    const answers = routeAnswers(h.app);
    // The walk must see every handler Express serves, or a route could escape it.
    const walked = answers.map(({ route }) => route.replace(/:(\w+)/g, '{$1}'));
    const served = servedRoutes(h).filter(
      (route) => route !== 'GET /openapi.json' && !route.includes(' /docs') && !route.endsWith('{/*splat}'),
    );
    expect([...walked].sort()).toEqual([...new Set(served)].sort());
    const withoutContract = answers.filter((answer) => answer.answersJson && !answer.hasContract);
    expect(withoutContract.map(({ route }) => route)).toEqual([]);
  });

  it('should give every operation a summary, and every JSON request body an example', () => {
    for (const { route, operation } of operations()) {
      expect(operation.summary, `${route} has no summary`).toMatch(/\w{3}/);
      const json = operation.requestBody?.content['application/json']?.schema as
        { example?: unknown } | undefined;
      if (json) expect(json.example, `${route} has no request example`).toBeDefined();
    }
  });

  it('should resolve every $ref in the document', () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const name = ref.replace('#/components/schemas/', '');
      expect(document.components.schemas[name], `${ref} does not resolve`).toBeDefined();
    }
  });

  it('should list each parameter once per operation', () => {
    for (const { route, operation } of operations()) {
      const names = (operation.parameters ?? []).map((p) => `${p.in}:${p.name.toLowerCase()}`);
      expect(names, route).toEqual([...new Set(names)]);
    }
  });

  it('should say that job creation answers 202 with the job view', () => {
    const create = document.paths['/v1/jobs'].post;
    expect(Object.keys(create.responses)).not.toContain('201');
    expect(create.responses['202'].content?.['application/json'].schema).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['id', 'status', 'creditsReserved']),
    });
  });

  it('should say that an upload is multipart with the image in the field "file"', () => {
    const upload = document.paths['/v1/uploads'].post;
    expect(upload.requestBody?.content['multipart/form-data'].schema).toMatchObject({
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    });
  });
});
