// `npm run -w services/api cycles`: fails when the API's source has an import cycle, between two
// files or between two modules (a folder under src/modules or src/core, e.g. jobs → events →
// jobs). Madge finds the file cycles; the module graph is the file graph with each file replaced
// by its folder, where a cycle is a strongly connected component of more than one folder.
import madge from 'madge';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** `modules/jobs/jobs.service.ts` → `modules/jobs`; a file directly under src is its own module. */
function moduleOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : file;
}

/** Tarjan's strongly connected components, each sorted, those of two or more nodes only. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node)!, lowlinks.get(next)!));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node)!, indices.get(next)!));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return found;
}

const result = await madge(join(root, 'src'), {
  fileExtensions: ['ts'],
  tsConfig: join(root, 'tsconfig.app.json'),
  excludeRegExp: [/\.spec\.ts$/],
});

const fileCycles = result.circular();
const modules = new Map<string, Set<string>>();
for (const [file, imports] of Object.entries(result.obj())) {
  const from = moduleOf(file);
  const edges = modules.get(from) ?? new Set<string>();
  modules.set(from, edges);
  for (const imported of imports) {
    const to = moduleOf(imported);
    if (to !== from) edges.add(to);
  }
}
const moduleCycles = cycles(modules);

for (const cycle of fileCycles) console.error(`File cycle: ${[...cycle, cycle[0]].join(' → ')}`);
for (const cycle of moduleCycles) console.error(`Module cycle: ${cycle.join(' ↔ ')}`);
if (fileCycles.length + moduleCycles.length > 0) process.exit(1);
console.log(`No import cycle among ${Object.keys(result.obj()).length} files and ${modules.size} modules`);
