/**
 * Which prefixes a sweep lists: for each selected route, its bucket (literal or glob) and
 * the literal prefix of its name pattern. Prefixes inside another listed prefix of the same
 * bucket are dropped, so no object is listed twice. Pure.
 */
import type { CompiledRoute } from './compile';

export interface ListTarget {
  /** A bucket name, or a glob over bucket names (`landing-*`). */
  bucketPattern: string;
  prefix: string;
}

export function listTargets(routes: readonly CompiledRoute[]): ListTarget[] {
  const byBucket = new Map<string, string[]>();
  for (const route of routes) {
    const list = byBucket.get(route.bucketPattern) ?? [];
    list.push(route.namePrefix);
    byBucket.set(route.bucketPattern, list);
  }
  const targets: ListTarget[] = [];
  for (const [bucketPattern, prefixes] of byBucket) {
    const kept: string[] = [];
    for (const prefix of [...new Set(prefixes)].sort()) {
      // Sorted: a covering prefix comes before everything it covers.
      if (!kept.some((k) => prefix.startsWith(k))) kept.push(prefix);
    }
    for (const prefix of kept) targets.push({ bucketPattern, prefix });
  }
  return targets;
}
