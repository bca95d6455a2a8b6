import type { CrdLike } from '../../test/kube-api-server/crd-validation.ts';
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
 * Refuses what the apiserver refuses, before a CRD is written: the structural-schema rules (root
 * `metadata` may only say `type: object` and restrict name/generateName), defaults that fail their
 * own schema or CEL rules, and the rest of apiextensions' static validation.
 */
export function checkCrd(crd: CrdLike & { metadata: { name: string } }): void {
  const problems = describeCauses(validateCustomResourceDefinition(crd));
  if (problems.length > 0) throw new CrdRefusedError(crd.metadata.name, problems);
}
