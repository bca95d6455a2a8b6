import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { stringify } from 'yaml';
import type { CustomResourceDefinition } from '../../scripts/crds/crd-definitions.ts';
import { ApiError, badRequest, conflict, gone, invalid, STALE_OBJECT } from './api-error.ts';
import { applyJsonPatch, applyMergePatch } from './patches.ts';
import { builtinResources } from './builtin-resources.ts';
import { readCrds, resourceTypesOf } from './custom-resources.ts';
import type { DeploymentControllerOptions } from './deployment-controller.ts';
import { DeploymentController } from './deployment-controller.ts';
import { apiGroupList, apiGroupOf, apiResourceList, apiVersions, SERVER_VERSION } from './discovery.ts';
import { ObjectStore } from './object-store.ts';
import { openApiDocument, openApiIndex } from './openapi.ts';
import type { DeleteOptions, FieldValidation, WriteOptions } from './resource-operations.ts';
import { kubeTime, PATCH_TYPES, ResourceOperations } from './resource-operations.ts';
import { ResourceRegistry } from './resource-registry.ts';
import type { ResourceType } from './resource-type.ts';
import { groupVersion, resourceKey } from './resource-type.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { toTable, wantsTable } from './tables.ts';
import type { KubeObject } from './types.ts';
import { isPlainObject, nameOf } from './types.ts';
import { serveWatch } from './watch-stream.ts';

export interface KubeApiServerOptions {
  /** CRDs to install; by default every CRD in operator/crds. */
  crds?: CustomResourceDefinition[];
  /** Namespaces that exist from the start (default, kube-system, ...). */
  namespaces?: string[];
  /** Changes the watch history keeps; older resourceVersions get 410 Gone. */
  historyLimit?: number;
  /**
   * How often watches that allow bookmarks get one: by default every 60 s, as the apiserver's watch
   * cache (defaultBookmarkFrequency); 0 sends none, for tests of long silent watches.
   */
  bookmarkIntervalMs?: number;
  port?: number;
  host?: string;
  /** Run a stand-in Deployment controller that creates and removes pods (off by default). */
  deployments?: DeploymentControllerOptions | false;
}

interface ResourceRoute {
  group: string;
  version: string;
  namespace?: string;
  plural: string;
  name?: string;
  subresource?: string;
}

const CRD_KEY = 'apiextensions.k8s.io/customresourcedefinitions';
const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * An in-process Kubernetes API server for tests: real REST paths, discovery, OpenAPI v3, watch
 * streams, Status errors and Table output, so that kubectl and @kubernetes/client-node work
 * against it unchanged. Plain HTTP on 127.0.0.1, no authentication.
 */
export class KubeApiServer {
  readonly store: ObjectStore;
  readonly registry = new ResourceRegistry();
  readonly operations: ResourceOperations;
  /** Requests served, by `VERB resource` (e.g. `PATCH videojobs/status`), for benchmarks. */
  readonly requestCounts = new Map<string, number>();
  private readonly server: Server;
  private readonly bookmarkIntervalMs: number;
  private readonly watches = new Set<ServerResponse>();
  private deploymentController?: DeploymentController;
  private baseUrl = '';

  private constructor(options: KubeApiServerOptions) {
    this.store = new ObjectStore(options.historyLimit ?? 10_000);
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 60_000;
    for (const type of builtinResources()) this.registry.add(type);
    this.operations = new ResourceOperations(this.store, this.registry);
    this.store.subscribe((event) => {
      if (event.storageKey !== CRD_KEY) return;
      const crd = event.object as unknown as CustomResourceDefinition;
      if (event.type === 'DELETED') this.registry.remove(crd.spec.group, crd.spec.names.plural);
      else {
        for (const type of resourceTypesOf(crd)) {
          this.registry.add(type);
          this.operations.prepare(type);
        }
      }
      // A CRD created through the API (kubectl apply -f) becomes Established as on a cluster.
      if (event.type === 'ADDED') setImmediate(() => this.markEstablished(crd.metadata.name));
    });
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => this.sendError(response, error));
    });
  }

  static async start(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
    const server = new KubeApiServer(options);
    for (const name of options.namespaces ?? ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      server.createObject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    }
    for (const crd of options.crds ?? (await readCrds())) server.installCrd(crd);
    if (options.deployments) {
      server.deploymentController = new DeploymentController(
        server.store,
        server.registry,
        server.operations,
        options.deployments,
      );
    }
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      // A deep backlog: benchmarks open a thousand connections at once.
      server.server.listen(
        { port: options.port ?? 0, host: options.host ?? '127.0.0.1', backlog: 4096 },
        () => resolve(),
      );
    });
    const address = server.server.address() as AddressInfo;
    server.baseUrl = `http://${address.address}:${address.port}`;
    return server;
  }

  get url(): string {
    return this.baseUrl;
  }

  /** A kubeconfig whose current context points at this server. */
  kubeconfig(namespace = 'default'): string {
    const name = 'cineweave-test';
    return stringify({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node refuses plain http unless TLS verification is (vacuously) switched off.
      clusters: [{ name, cluster: { server: this.baseUrl, 'insecure-skip-tls-verify': true } }],
      users: [{ name, user: {} }],
      contexts: [{ name, context: { cluster: name, user: name, namespace } }],
      'current-context': name,
      preferences: {},
    });
  }

  async writeKubeconfig(path: string, namespace = 'default'): Promise<void> {
    await writeFile(path, this.kubeconfig(namespace), { mode: 0o600 });
  }

  private markEstablished(name: string): void {
    const crd = this.getObject('apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, name);
    if (!crd || (crd.status as { conditions?: unknown[] } | undefined)?.conditions?.length) return;
    this.installCrd(crd as unknown as CustomResourceDefinition);
  }

  /** Installs (or replaces) a CRD, marking it Established as the apiextensions controller would. */
  installCrd(crd: CustomResourceDefinition): void {
    const type = this.typeOf('apiextensions.k8s.io/v1', 'CustomResourceDefinition');
    const existing = this.store.get(CRD_KEY, undefined, crd.metadata.name);
    const options = this.internalWriteOptions();
    const object = structuredClone(crd) as unknown as KubeObject;
    const written = existing
      ? this.operations.replace(
          type,
          undefined,
          crd.metadata.name,
          { ...object, metadata: { ...object.metadata, resourceVersion: existing.metadata.resourceVersion } },
          undefined,
          options,
        ).object
      : this.operations.create(type, undefined, object, options).object;
    const now = kubeTime();
    const status = {
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: now,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: now,
        },
      ],
      acceptedNames: crd.spec.names,
      storedVersions: crd.spec.versions.filter((version) => version.storage).map((version) => version.name),
    };
    this.operations.replace(type, undefined, crd.metadata.name, { ...written, status }, 'status', options);
  }

  /** Creates an object directly (no HTTP), for test set-up. */
  createObject(object: KubeObject): KubeObject {
    return this.operations.create(
      this.typeOf(object.apiVersion, object.kind),
      object.metadata.namespace,
      object,
      this.internalWriteOptions(),
    ).object;
  }

  /**
   * Merge-patches an object directly (no HTTP), e.g. to play a controller in a test:
   * `patchObject('cineweave.io/v1alpha1', 'VideoJob', 'ns', 'x', { status: { phase: 'Running' } }, 'status')`.
   */
  patchObject(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    patch: Record<string, unknown>,
    subresource?: 'status',
  ): KubeObject {
    const type = this.typeOf(apiVersion, kind);
    return this.operations.patch(
      type,
      namespace,
      name,
      PATCH_TYPES.merge,
      JSON.stringify(patch),
      subresource,
      this.internalWriteOptions(),
    ).object;
  }

  /** Reads an object directly (no HTTP); undefined when it does not exist. */
  getObject(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const type = this.typeOf(apiVersion, kind);
    try {
      return this.operations.get(type, namespace, name);
    } catch (error) {
      if (error instanceof ApiError && error.status.code === 404) return undefined;
      throw error;
    }
  }

  /** Ends every open watch, as an apiserver restart or a load balancer timeout would; clients must resume. */
  dropWatches(): void {
    for (const response of this.watches) response.end();
  }

  /** Forgets the watch history, like an etcd compaction: watches resuming from older versions get 410 Gone. */
  compactHistory(): void {
    this.store.compact();
  }

  async close(): Promise<void> {
    this.deploymentController?.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private typeOf(apiVersion: string, kind: string): ResourceType {
    const type = this.registry.byKind(apiVersion, kind);
    if (!type) throw new Error(`The test API server does not serve ${kind} in ${apiVersion}`);
    return type;
  }

  private internalWriteOptions(): WriteOptions {
    return { fieldManager: 'kube-test-server', fieldValidation: 'Strict', dryRun: false, force: false };
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = request.method ?? 'GET';
    const segments = path.split('/').filter(Boolean);

    if (method === 'GET') {
      const document = this.nonResourceDocument(path, segments, request);
      if (document) return this.sendJson(response, 200, document);
    }
    const route = parseResourcePath(segments);
    const type = route && this.registry.find(route.group, route.version, route.plural);
    if (route?.subresource === 'scale' && route.name && type?.scaleSubresource) {
      this.count(method, `${type.plural}/scale`);
      return this.handleScale(type, route.namespace, route.name, method, request, response);
    }
    if (
      !route ||
      !type ||
      (route.namespace && !type.namespaced) ||
      (route.subresource && route.subresource !== 'status')
    ) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    if (route.subresource && !type.statusSubresource) {
      throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
    }
    const query = url.searchParams;
    const watch = query.get('watch') === 'true' || query.get('watch') === '1';
    this.count(
      watch ? 'WATCH' : method,
      route.subresource ? `${type.plural}/${route.subresource}` : type.plural,
    );
    const table = wantsTable(request.headers.accept);

    if (method === 'GET' && !route.name) {
      const selectors = [
        parseLabelSelector(query.get('labelSelector')),
        parseFieldSelector(query.get('fieldSelector')),
      ];
      if (watch) {
        return serveWatch(
          this.store,
          {
            type,
            namespace: route.namespace,
            selectors,
            resourceVersion: query.get('resourceVersion') ?? undefined,
            allowBookmarks: query.get('allowWatchBookmarks') === 'true',
            sendInitialEvents: query.get('sendInitialEvents') === 'true',
            timeoutSeconds: query.has('timeoutSeconds') ? Number(query.get('timeoutSeconds')) : undefined,
            table,
          },
          response,
          this.bookmarkIntervalMs,
          this.watches,
        );
      }
      return this.sendList(response, type, route.namespace, selectors, query, table, request.headers.accept);
    }
    if (method === 'GET' && route.name) {
      const object = this.operations.get(type, route.namespace, route.name);
      return this.sendJson(
        response,
        200,
        table ? toTable(type, [object], { resourceVersion: object.metadata.resourceVersion }) : object,
      );
    }

    const body = await readBody(request);
    const options = writeOptions(query, request);
    const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim();
    if (method === 'POST' && !route.name) {
      const result = this.operations.create(type, route.namespace, parseBody(body, contentType), options);
      return this.sendJson(response, 201, result.object, result.warnings);
    }
    if (method === 'PUT' && route.name) {
      const result = this.operations.replace(
        type,
        route.namespace,
        route.name,
        parseBody(body, contentType),
        route.subresource,
        options,
      );
      return this.sendJson(response, 200, result.object, result.warnings);
    }
    if (method === 'PATCH' && route.name) {
      const result = this.operations.patch(
        type,
        route.namespace,
        route.name,
        contentType,
        body,
        route.subresource,
        options,
      );
      return this.sendJson(response, result.created ? 201 : 200, result.object, result.warnings);
    }
    if (method === 'DELETE' && route.name && !route.subresource) {
      const deleted = this.operations.delete(type, route.namespace, route.name, deleteOptions(body, query));
      return this.sendJson(response, 200, deleted);
    }
    if (method === 'DELETE' && !route.name) {
      const selectors = [
        parseLabelSelector(query.get('labelSelector')),
        parseFieldSelector(query.get('fieldSelector')),
      ];
      const options = deleteOptions(body, query);
      const items = this.operations
        .list(type, route.namespace, selectors)
        .map((object) => this.operations.delete(type, object.metadata.namespace, nameOf(object), options));
      return this.sendJson(response, 200, {
        kind: type.listKind,
        apiVersion: groupVersion(type),
        metadata: {},
        items,
      });
    }
    throw new ApiError(
      405,
      'MethodNotAllowed',
      `the server does not allow this method on the requested resource`,
      {},
    );
  }

  /** The autoscaling/v1 Scale view of spec.replicas, which `kubectl scale` reads and patches. */
  private async handleScale(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    method: string,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    const toScale = (object: KubeObject) => {
      const spec = isPlainObject(object.spec) ? object.spec : {};
      const status = isPlainObject(object.status) ? object.status : {};
      const selector =
        isPlainObject(spec.selector) && isPlainObject(spec.selector.matchLabels)
          ? spec.selector.matchLabels
          : {};
      const {
        name: objectName,
        namespace: objectNamespace,
        uid,
        resourceVersion,
        creationTimestamp,
      } = object.metadata;
      return {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: { name: objectName, namespace: objectNamespace, uid, resourceVersion, creationTimestamp },
        spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 1 },
        status: {
          replicas: typeof status.replicas === 'number' ? status.replicas : 0,
          selector: Object.entries(selector)
            .map(([key, value]) => `${key}=${String(value)}`)
            .join(','),
        },
      };
    };
    const current = this.operations.get(type, namespace, name);
    if (method === 'GET') return this.sendJson(response, 200, toScale(current));
    const body = await readBody(request);
    const contentType = (request.headers['content-type'] ?? '').split(';')[0].trim();
    let scale: unknown;
    if (method === 'PUT') scale = parseBody(body, contentType);
    else if (method === 'PATCH' && contentType === PATCH_TYPES.json)
      scale = applyJsonPatch(toScale(current), JSON.parse(body));
    else if (method === 'PATCH') scale = applyMergePatch(toScale(current), JSON.parse(body));
    else
      throw new ApiError(405, 'MethodNotAllowed', 'the scale subresource allows get, update and patch', {});
    const wanted = isPlainObject(scale) ? scale : {};
    const metadata = isPlainObject(wanted.metadata) ? wanted.metadata : {};
    if (metadata.resourceVersion && metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw conflict(type, name, STALE_OBJECT);
    }
    const replicas = isPlainObject(wanted.spec) ? wanted.spec.replicas : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid(type, name, [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas)}: must be a non-negative integer`,
        },
      ]);
    }
    const options = writeOptions(new URL(request.url ?? '/', 'http://localhost').searchParams, request);
    const updated = this.operations.patch(
      type,
      namespace,
      name,
      PATCH_TYPES.merge,
      JSON.stringify({ spec: { replicas } }),
      undefined,
      options,
    );
    this.sendJson(response, 200, toScale(updated.object));
  }

  private nonResourceDocument(path: string, segments: string[], request: IncomingMessage): unknown {
    if (path === '/version') return SERVER_VERSION;
    if (path === '/healthz' || path === '/readyz' || path === '/livez') return 'ok';
    if (path === '/api') return apiVersions(request.headers.host ?? '127.0.0.1');
    if (path === '/apis') return apiGroupList(this.registry);
    if (path === '/api/v1') return apiResourceList(this.registry.inGroupVersion('', 'v1'), 'v1');
    if (segments[0] === 'apis' && segments.length === 2) return apiGroupOf(this.registry, segments[1]);
    if (segments[0] === 'apis' && segments.length === 3) {
      const types = this.registry.inGroupVersion(segments[1], segments[2]);
      return types.length > 0 ? apiResourceList(types, `${segments[1]}/${segments[2]}`) : undefined;
    }
    if (path === '/openapi/v3') return openApiIndex(this.registry);
    if (segments[0] === 'openapi' && segments[1] === 'v3') {
      const [group, version] = segments[2] === 'api' ? ['', segments[3]] : [segments[3], segments[4]];
      const types = this.registry.inGroupVersion(group ?? '', version ?? '');
      return types.length > 0 ? openApiDocument(types, segments.slice(2).join('/')) : undefined;
    }
    return undefined;
  }

  private sendList(
    response: ServerResponse,
    type: ResourceType,
    namespace: string | undefined,
    selectors: ReturnType<typeof parseLabelSelector>[],
    query: URLSearchParams,
    table: boolean,
    accept: string | undefined,
  ): void {
    const revision = String(this.store.currentRevision);
    let items = this.operations.list(type, namespace, selectors);
    const continueToken = query.get('continue');
    let offset = 0;
    if (continueToken) {
      const decoded = decodeContinue(continueToken);
      if (decoded.revision < 0) throw badRequest('invalid continue token');
      offset = decoded.offset;
    }
    const limit = Number(query.get('limit') ?? 0);
    let next: string | undefined;
    items = items.slice(offset);
    if (limit > 0 && items.length > limit) {
      next = Buffer.from(JSON.stringify({ revision: Number(revision), offset: offset + limit })).toString(
        'base64url',
      );
      items = items.slice(0, limit);
    }
    const metadata = { resourceVersion: revision, ...(next ? { continue: next } : {}) };
    if (table) {
      const includeObject = query.get('includeObject') ?? 'Metadata';
      return this.sendJson(response, 200, toTable(type, items, metadata, Date.now(), includeObject));
    }
    void accept;
    this.sendJson(response, 200, {
      kind: type.listKind,
      apiVersion: groupVersion(type),
      metadata,
      items: items.map((item) => ({ ...item, apiVersion: groupVersion(type), kind: type.kind })),
    });
  }

  private count(verb: string, resource: string): void {
    const key = `${verb} ${resource}`;
    this.requestCounts.set(key, (this.requestCounts.get(key) ?? 0) + 1);
  }

  private sendJson(response: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string | string[]> = {
      'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
      'Content-Length': String(Buffer.byteLength(text)),
    };
    if (warnings.length > 0) headers.Warning = warnings.map((warning) => `299 - ${JSON.stringify(warning)}`);
    response.writeHead(code, headers);
    response.end(text);
  }

  private sendError(response: ServerResponse, error: unknown): void {
    if (response.headersSent) {
      // A watch already streaming cannot carry a Status any more: log the bug and end the stream.
      console.error('kube-test-server: error after the response started', error);
      response.end();
      return;
    }
    const status =
      error instanceof ApiError
        ? error.status
        : new ApiError(500, 'InternalError', `Internal error occurred: ${(error as Error).message}`).status;
    if (!(error instanceof ApiError)) console.error('kube-test-server: internal error', error);
    this.sendJson(response, status.code, status);
  }
}

export function parseResourcePath(segments: string[]): ResourceRoute | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    [group, version, rest] = ['', segments[1], segments.slice(2)];
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    [group, version, rest] = [segments[1], segments[2], segments.slice(3)];
  } else {
    return undefined;
  }
  const namespaceSubresource =
    group === '' && rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
    if (rest.length > 5) return undefined;
    return { group, version, namespace: rest[1], plural: rest[2], name: rest[3], subresource: rest[4] };
  }
  if (rest.length > 3) return undefined;
  return { group, version, plural: rest[0], name: rest[1], subresource: rest[2] };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiError(413, 'RequestEntityTooLarge', 'the request body is larger than 3 MiB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(body: string, contentType: string): unknown {
  if (contentType && contentType !== 'application/json' && contentType !== '*/*') {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json (not ${contentType}). ` +
        'The CineWeave test API server speaks JSON only; typed kubectl commands such as `kubectl create namespace` send protobuf, so use `kubectl apply -f` or `kubectl create -f` instead',
    );
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    throw badRequest(`the request body is not JSON: ${(error as Error).message}`);
  }
}

function writeOptions(query: URLSearchParams, request: IncomingMessage): WriteOptions {
  const validation = query.get('fieldValidation') ?? 'Warn';
  if (!['Ignore', 'Warn', 'Strict'].includes(validation)) {
    throw badRequest(`fieldValidation must be Ignore, Warn or Strict, not ${validation}`);
  }
  // Like the apiserver: without ?fieldManager the manager is the client's User-Agent program name.
  const agent = (request.headers['user-agent'] ?? 'unknown').split('/')[0];
  return {
    fieldManager: query.get('fieldManager') ?? agent,
    fieldValidation: validation as FieldValidation,
    dryRun: query.getAll('dryRun').includes('All'),
    force: query.get('force') === 'true',
  };
}

function deleteOptions(body: string, query: URLSearchParams): DeleteOptions {
  let parsed: Record<string, unknown> = {};
  if (body.trim()) {
    try {
      const value: unknown = JSON.parse(body);
      if (isPlainObject(value)) parsed = value;
    } catch {
      throw badRequest('the DeleteOptions body is not JSON');
    }
  }
  const policy =
    (parsed.propagationPolicy as string | undefined) ?? query.get('propagationPolicy') ?? undefined;
  const orphan = parsed.orphanDependents === true;
  const dryRun = Array.isArray(parsed.dryRun)
    ? parsed.dryRun.includes('All')
    : query.getAll('dryRun').includes('All');
  return {
    propagationPolicy: (orphan ? 'Orphan' : policy) as DeleteOptions['propagationPolicy'],
    preconditions: isPlainObject(parsed.preconditions)
      ? (parsed.preconditions as DeleteOptions['preconditions'])
      : undefined,
    dryRun,
  };
}

function decodeContinue(token: string): { revision: number; offset: number } {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      revision: number;
      offset: number;
    };
    if (typeof value.offset !== 'number') throw gone('The provided continue parameter is too old');
    return value;
  } catch {
    return { revision: -1, offset: 0 };
  }
}

export { PATCH_TYPES, resourceKey };
