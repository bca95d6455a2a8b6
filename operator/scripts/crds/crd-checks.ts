import type { CrdLike } from '../../test/kube-api-server/crd-validation.ts';
import {
  BuiltinSchemas,
  MINIMUM_KUBERNETES,
} from '../../test/kube-api-server/kubernetes-api/builtin-schema.ts';
import {
  describeCauses,
  validateCustomResourceDefinition,
} from '../../test/kube-api-server/crd-validation.ts';

/** A generated CRD that a real kube-apiserver would refuse, with every reason it would give. */
export class CrdRefusedError extends Error {
  readonly problems: string[];

  constructor(name: string, problems: string[]) {
    super(
      `The generated CRD ${name} would be refused by kube-apiserver; fix operator/scripts/crds (or the contracts):\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.name = 'CrdRefusedError';
    this.problems = problems;
  }
}

/**
 * Refuses what the apiserver of the minimum supported Kubernetes version refuses or drops, before a
 * CRD is written: the structural-schema rules (root `metadata` may only say `type: object` and
 * restrict name/generateName), defaults that fail their own schema or CEL rules, the rest of
 * apiextensions' static validation, and fields of the CRD API (e.g. a rule's `optionalOldSelf`,
 * `selectableFields`) that the minimum version does not have or has only behind an alpha gate.
 */
export function checkCrd(crd: CrdLike & { metadata: { name: string } }): void {
  const versionCheck = BuiltinSchemas.minimum().check(
    'apiextensions.k8s.io/v1',
    'CustomResourceDefinition',
    crd,
    false,
  );
  const problems = [
    ...versionCheck.unknown.map(
      (path) => `${path}: unknown field: Kubernetes ${MINIMUM_KUBERNETES} has no such field`,
    ),
    ...versionCheck.typeErrors,
    ...describeCauses(versionCheck.causes),
    ...describeCauses(validateCustomResourceDefinition(crd)),
  ];
  if (problems.length > 0) throw new CrdRefusedError(crd.metadata.name, problems);
}
