/**
 * Case 5, deployed size: what Cloud Run's build would install with `npm ci --omit=dev` —
 * the production dependency closure — plus the code itself. The closure is walked from the
 * installed node_modules with Node's resolution rule (a package's own node_modules first,
 * then each parent's), so it needs no network; every package directory is counted once,
 * without its nested node_modules (those are packages of their own in the walk).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface PackageJson {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Bytes of the files under `path` (a file or a folder), skipping `node_modules` folders. */
export function bytesOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' && entry.isDirectory()) continue;
    const child = join(path, entry.name);
    if (entry.isSymbolicLink()) continue;
    total += entry.isDirectory() ? bytesOf(child) : statSync(child).size;
  }
  return total;
}

/** The folder `name` resolves to when required from package folder `from`. */
function resolvePackage(name: string, from: string, root: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === dirname(dir)) return undefined;
    // Node's rule: every ancestor's node_modules (checks that cannot exist just miss).
    dir = dirname(dir);
  }
}

export interface ClosureSize {
  packages: number;
  bytes: number;
}

/** Packages and bytes of the production closure of `dependencies`, resolved from `root`. */
export function productionClosure(root: string, dependencies: string[]): ClosureSize {
  const seen = new Set<string>();
  const queue: { name: string; from: string }[] = dependencies.map((name) => ({
    name,
    from: root,
  }));
  let bytes = 0;
  while (queue.length > 0) {
    const next = queue.pop();
    if (!next) break;
    const dir = resolvePackage(next.name, next.from, root);
    // An optional dependency that was not installed (other platform) is not deployed either.
    if (!dir || seen.has(dir)) continue;
    seen.add(dir);
    bytes += bytesOf(dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
    for (const name of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      queue.push({ name, from: dir });
    }
  }
  return { packages: seen.size, bytes };
}
