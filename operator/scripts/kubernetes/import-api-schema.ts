/**
 * Vendors the schema of the built-in kinds CineWeave sends, for the minimum Kubernetes version, into
 * operator/test/kube-api-server/kubernetes-api/, so that the test API server (and the CRD generator)
 * can hold objects to what that version's apiserver knows.
 *
 * Source: the npm package `kubernetes-types` of that version (e.g. kubernetes-types@1.29.0), which is
 * generated one interface per definition from upstream's api/openapi-spec/swagger.json of that
 * release: field names, required fields (non-optional members), and types. Run on demand:
 *
 *   npm pack kubernetes-types@1.29.0 && tar xzf kubernetes-types-1.29.0.tgz
 *   node --conditions=@cineweave/source operator/scripts/kubernetes/import-api-schema.ts package 1.29.0
 *
 * What the TypeScript form cannot say, and how it is read back:
 * - `number` is an integer (int32/int64) everywhere except JSONSchemaProps' maximum, minimum and
 *   multipleOf, the only `format: double` fields of the groups vendored here;
 * - `number | string` is an IntOrString; Quantity accepts a string or a number, as its decoder does;
 * - RawExtension, JSON and FieldsV1 hold any JSON;
 * - JSONSchemaProps' x-kubernetes-* fields, which kubernetes-types omits, are added back.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import ts from 'typescript';

/** The group versions whose kinds the chart renders or the operator writes, and what they reach. */
const MODULES: Record<string, string> = {
  'core/v1': 'io.k8s.api.core.v1',
  'apps/v1': 'io.k8s.api.apps.v1',
  'batch/v1': 'io.k8s.api.batch.v1',
  'autoscaling/v2': 'io.k8s.api.autoscaling.v2',
  'networking/v1': 'io.k8s.api.networking.v1',
  'policy/v1': 'io.k8s.api.policy.v1',
  'rbac/v1': 'io.k8s.api.rbac.v1',
  'coordination/v1': 'io.k8s.api.coordination.v1',
  'events/v1': 'io.k8s.api.events.v1',
  'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
  'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
};

/** Kinds served, by apiVersion/kind, with their definition. */
const KINDS: Array<[string, string, string]> = [
  ['v1', 'ConfigMap', 'io.k8s.api.core.v1.ConfigMap'],
  ['v1', 'Event', 'io.k8s.api.core.v1.Event'],
  ['v1', 'Namespace', 'io.k8s.api.core.v1.Namespace'],
  ['v1', 'PersistentVolume', 'io.k8s.api.core.v1.PersistentVolume'],
  ['v1', 'PersistentVolumeClaim', 'io.k8s.api.core.v1.PersistentVolumeClaim'],
  ['v1', 'Pod', 'io.k8s.api.core.v1.Pod'],
  ['v1', 'Secret', 'io.k8s.api.core.v1.Secret'],
  ['v1', 'Service', 'io.k8s.api.core.v1.Service'],
  ['v1', 'ServiceAccount', 'io.k8s.api.core.v1.ServiceAccount'],
  ['apps/v1', 'Deployment', 'io.k8s.api.apps.v1.Deployment'],
  ['apps/v1', 'StatefulSet', 'io.k8s.api.apps.v1.StatefulSet'],
  ['batch/v1', 'Job', 'io.k8s.api.batch.v1.Job'],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler'],
  ['networking.k8s.io/v1', 'Ingress', 'io.k8s.api.networking.v1.Ingress'],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'io.k8s.api.networking.v1.NetworkPolicy'],
  ['policy/v1', 'PodDisruptionBudget', 'io.k8s.api.policy.v1.PodDisruptionBudget'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'io.k8s.api.rbac.v1.ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'io.k8s.api.rbac.v1.ClusterRoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'Role', 'io.k8s.api.rbac.v1.Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'io.k8s.api.rbac.v1.RoleBinding'],
  ['coordination.k8s.io/v1', 'Lease', 'io.k8s.api.coordination.v1.Lease'],
  ['events.k8s.io/v1', 'Event', 'io.k8s.api.events.v1.Event'],
  [
    'apiextensions.k8s.io/v1',
    'CustomResourceDefinition',
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
  ],
];

const DOUBLE_FIELDS = new Set([
  'JSONSchemaProps.maximum',
  'JSONSchemaProps.minimum',
  'JSONSchemaProps.multipleOf',
]);
const ANY_TYPES = new Set(['RawExtension', 'JSON', 'FieldsV1']);

export type FieldSchema =
  | { type: 'string' | 'integer' | 'number' | 'boolean' }
  | { type: 'int-or-string' | 'quantity' | 'any' }
  | { $ref: string }
  | { type: 'array'; items: FieldSchema }
  | { type: 'map'; values: FieldSchema }
  | { anyOf: FieldSchema[] };

export interface Definition {
  properties: Record<string, FieldSchema>;
  required?: string[];
}

export interface ApiSchema {
  kubernetesVersion: string;
  source: string;
  kinds: Record<string, string>;
  definitions: Record<string, Definition>;
}

async function main(): Promise<void> {
  const [packageDir, version] = process.argv.slice(2);
  if (!packageDir || !version) {
    console.error(
      'usage: import-api-schema.ts <unpacked kubernetes-types package> <kubernetes version, e.g. 1.29.0>',
    );
    process.exit(2);
  }
  const manifest = JSON.parse(await readFile(`${packageDir}/package.json`, 'utf8')) as { version: string };
  const all = new Map<string, Definition>();
  for (const [module, prefix] of Object.entries(MODULES)) {
    const text = await readFile(`${packageDir}/${module}.d.ts`, 'utf8');
    const file = ts.createSourceFile(`${module}.d.ts`, text, ts.ScriptTarget.Latest, true);
    const imports = new Map<string, string>();
    // Type aliases (JSONSchemaPropsOrBool = JSONSchemaProps | boolean, ...) are inlined where used.
    const aliasNodes = new Map<string, ts.TypeNode>();
    for (const statement of file.statements) {
      if (ts.isTypeAliasDeclaration(statement)) aliasNodes.set(statement.name.text, statement.type);
    }
    for (const statement of file.statements) {
      if (ts.isImportDeclaration(statement) && statement.importClause?.namedBindings) {
        const from = (statement.moduleSpecifier as ts.StringLiteral).text
          .replace(/^\.\.\//, '')
          .replace(/^\.\//, `${module.split('/')[0]}/`);
        const bindings = statement.importClause.namedBindings as ts.NamedImports;
        for (const element of bindings.elements) imports.set(element.name.text, from);
      }
    }
    // eslint-disable-next-line prefer-const -- refOf and convert call each other
    let convert: (node: ts.TypeNode, owner: string, field: string) => FieldSchema;
    const refOf = (name: string): FieldSchema => {
      if (ANY_TYPES.has(name)) return { type: 'any' };
      if (name === 'Quantity') return { type: 'quantity' };
      if (name === 'Time' || name === 'MicroTime') return { type: 'string' };
      const alias = aliasNodes.get(name);
      if (alias) return convert(alias, name, '');
      const from = imports.get(name);
      const target = from ? MODULES[from] : prefix;
      if (!target) return { type: 'any' };
      return { $ref: `${target}.${name}` };
    };
    convert = (node: ts.TypeNode, owner: string, field: string): FieldSchema => {
      if (ts.isUnionTypeNode(node)) {
        const kinds = node.types.map((t) => t.getText());
        if (kinds.length === 2 && kinds.includes('number') && kinds.includes('string'))
          return { type: 'int-or-string' };
        return { anyOf: node.types.map((t) => convert(t, owner, field)) };
      }
      if (ts.isArrayTypeNode(node)) return { type: 'array', items: convert(node.elementType, owner, field) };
      if (ts.isTypeReferenceNode(node)) {
        const name = node.typeName.getText();
        if (name === 'Array' && node.typeArguments?.[0]) {
          return { type: 'array', items: convert(node.typeArguments[0], owner, field) };
        }
        return refOf(name);
      }
      if (ts.isTypeLiteralNode(node)) {
        const index = node.members.find(ts.isIndexSignatureDeclaration);
        return { type: 'map', values: index?.type ? convert(index.type, owner, field) : { type: 'any' } };
      }
      // apiVersion and kind are string literals ("v1", "Pod"): the server checks them itself.
      if (ts.isLiteralTypeNode(node)) return { type: 'string' };
      const text = node.getText();
      if (text === 'string') return { type: 'string' };
      if (text === 'boolean') return { type: 'boolean' };
      if (text === 'number') return { type: DOUBLE_FIELDS.has(`${owner}.${field}`) ? 'number' : 'integer' };
      if (text === 'any' || text === 'object' || text === 'unknown') return { type: 'any' };
      throw new Error(`${owner}.${field}: no schema for the TypeScript type ${text}`);
    };
    for (const statement of file.statements) {
      if (!ts.isInterfaceDeclaration(statement)) continue;
      const name = statement.name.text;
      const properties: Record<string, FieldSchema> = {};
      const required: string[] = [];
      for (const member of statement.members) {
        if (!ts.isPropertySignature(member) || !member.type) continue;
        const field = member.name.getText().replace(/^"|"$/g, '');
        properties[field] = convert(member.type, name, field);
        if (!member.questionToken) required.push(field);
      }
      all.set(`${prefix}.${name}`, { properties, ...(required.length > 0 ? { required } : {}) });
    }
  }
  // kubernetes-types leaves out the properties whose names look like vendor extensions, but in the
  // swagger these are real fields of JSONSchemaProps (all present in 1.29):
  const jsonSchemaProps = all.get(`${MODULES['apiextensions/v1']}.JSONSchemaProps`);
  if (jsonSchemaProps) {
    Object.assign(jsonSchemaProps.properties, {
      'x-kubernetes-embedded-resource': { type: 'boolean' },
      'x-kubernetes-int-or-string': { type: 'boolean' },
      'x-kubernetes-list-map-keys': { type: 'array', items: { type: 'string' } },
      'x-kubernetes-list-type': { type: 'string' },
      'x-kubernetes-map-type': { type: 'string' },
      'x-kubernetes-preserve-unknown-fields': { type: 'boolean' },
      'x-kubernetes-validations': {
        type: 'array',
        items: { $ref: `${MODULES['apiextensions/v1']}.ValidationRule` },
      },
    } satisfies Record<string, FieldSchema>);
  }
  // Keep only what the served kinds reach.
  const definitions: Record<string, Definition> = {};
  const visit = (name: string): void => {
    if (definitions[name]) return;
    const definition = all.get(name);
    if (!definition) throw new Error(`${name} is referenced but not defined in the vendored modules`);
    definitions[name] = definition;
    const walk = (schema: FieldSchema): void => {
      if ('$ref' in schema) visit(schema.$ref);
      else if ('anyOf' in schema) schema.anyOf.forEach(walk);
      else if (schema.type === 'array') walk(schema.items);
      else if (schema.type === 'map') walk(schema.values);
    };
    Object.values(definition.properties).forEach(walk);
  };
  for (const [, , definition] of KINDS) visit(definition);
  const schema: ApiSchema = {
    kubernetesVersion: version,
    source: `npm kubernetes-types@${manifest.version}, generated from kubernetes v${version} api/openapi-spec/swagger.json; converted by operator/scripts/kubernetes/import-api-schema.ts`,
    kinds: Object.fromEntries(
      KINDS.map(([apiVersion, kind, definition]) => [`${apiVersion}/${kind}`, definition]),
    ),
    definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : 1))),
  };
  const minor = version.split('.').slice(0, 2).join('.');
  const out = new URL(`../../test/kube-api-server/kubernetes-api/kubernetes-${minor}.json`, import.meta.url);
  const config = (await resolveConfig(out)) ?? {};
  await writeFile(out, await format(JSON.stringify(schema), { ...config, parser: 'json' }));
  console.log(
    `Wrote ${out.pathname}: ${Object.keys(definitions).length} definitions for ${KINDS.length} kinds`,
  );
}

await main();
