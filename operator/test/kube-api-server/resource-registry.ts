import type { ResourceType } from './resource-type.ts';
import { groupVersion } from './resource-type.ts';

/** The kinds the server serves, found by group, version and plural as the REST paths name them. */
export class ResourceRegistry {
  private readonly types: ResourceType[] = [];

  add(type: ResourceType): void {
    const index = this.types.findIndex(
      (existing) =>
        existing.group === type.group && existing.version === type.version && existing.plural === type.plural,
    );
    if (index >= 0) this.types[index] = type;
    else this.types.push(type);
  }

  remove(group: string, plural: string): void {
    for (let index = this.types.length - 1; index >= 0; index -= 1) {
      if (this.types[index].group === group && this.types[index].plural === plural)
        this.types.splice(index, 1);
    }
  }

  find(group: string, version: string, plural: string): ResourceType | undefined {
    return this.types.find(
      (type) => type.group === group && type.version === version && type.plural === plural,
    );
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find((type) => groupVersion(type) === apiVersion && type.kind === kind);
  }

  all(): readonly ResourceType[] {
    return this.types;
  }

  /** Group names with their versions, core group first, in registration order. */
  groups(): Array<{ name: string; versions: string[] }> {
    const groups = new Map<string, string[]>();
    for (const type of this.types) {
      const versions = groups.get(type.group) ?? [];
      if (!versions.includes(type.version)) versions.push(type.version);
      groups.set(type.group, versions);
    }
    return [...groups].map(([name, versions]) => ({ name, versions }));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((type) => type.group === group && type.version === version);
  }
}
