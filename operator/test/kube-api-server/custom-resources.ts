import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { CustomResourceDefinition } from '../../scripts/crds/crd-definitions.ts';
import { BUILTIN_LIST_MERGE_RULES } from './builtin-resources.ts';
import type { ListMergeRule, ResourceType, TableColumn } from './resource-type.ts';
import type { StructuralSchema } from '../../scripts/crds/structural-schema.ts';

export const CRD_DIRECTORY = fileURLToPath(new URL('../../crds/', import.meta.url));

/** Reads every CustomResourceDefinition in a folder of YAML files (operator/crds by default). */
export async function readCrds(directory = CRD_DIRECTORY): Promise<CustomResourceDefinition[]> {
  const files = (await readdir(directory)).filter((file) => /\.ya?ml$/.test(file)).sort();
  const crds: CustomResourceDefinition[] = [];
  for (const file of files) {
    for (const document of parseAllDocuments(await readFile(`${directory}/${file}`, 'utf8'))) {
      const value = document.toJS() as CustomResourceDefinition | null;
      if (value?.kind === 'CustomResourceDefinition') crds.push(value);
    }
  }
  return crds;
}

/** The served versions of a CRD as resource types, with their printer columns and schema. */
export function resourceTypesOf(crd: CustomResourceDefinition): ResourceType[] {
  const { group, names, scope, versions } = crd.spec;
  return versions
    .filter((version) => version.served)
    .map((version) => {
      const schema = version.schema.openAPIV3Schema;
      const columns: TableColumn[] = [
        {
          name: 'Name',
          type: 'string',
          format: 'name',
          description: 'Name must be unique within a namespace.',
          jsonPath: '.metadata.name',
        },
        ...(version.additionalPrinterColumns ?? []).map((column) => ({ ...column })),
      ];
      return {
        group,
        version: version.name,
        kind: names.kind,
        listKind: names.listKind ?? `${names.kind}List`,
        plural: names.plural,
        singular: names.singular ?? names.kind.toLowerCase(),
        shortNames: names.shortNames ?? [],
        categories: names.categories ?? [],
        namespaced: scope === 'Namespaced',
        statusSubresource: Boolean(version.subresources?.status),
        allowUnconditionalUpdate: false,
        strategicMergePatch: false,
        columns,
        schema,
        listMergeRules: [
          ...listMapRules(schema),
          ...BUILTIN_LIST_MERGE_RULES.filter((r) => r.field === 'ownerReferences'),
        ],
      };
    });
}

/** `x-kubernetes-list-type: map` lists of the schema: they merge per key under server-side apply. */
function listMapRules(schema: StructuralSchema, name = ''): ListMergeRule[] {
  const rules: ListMergeRule[] = [];
  if (schema['x-kubernetes-list-type'] === 'map' && schema['x-kubernetes-list-map-keys']) {
    rules.push({ field: name, keys: schema['x-kubernetes-list-map-keys'] });
  }
  for (const [child, childSchema] of Object.entries(schema.properties ?? {}))
    rules.push(...listMapRules(childSchema, child));
  if (schema.items) rules.push(...listMapRules(schema.items, name));
  if (schema.additionalProperties) rules.push(...listMapRules(schema.additionalProperties, name));
  return rules;
}
