/**
 * Routes that can never match because an earlier route takes every object they could.
 * Conservative on purpose (a false positive would reject a valid rules file): a route is
 * reported only when an earlier route without conditions provably covers it:
 * - the earlier name pattern is a literal prefix followed by `**` (or just `**`) and the
 *   later route's name pattern starts with that literal prefix, or the later route uses
 *   the regex form and the earlier pattern is `**`;
 * - or both name patterns are the same once capture names are ignored;
 * and the earlier bucket pattern covers the later one (same text, or a `*` glob that the
 * later, literal bucket matches).
 */

import { compileGlob } from '../core/glob';
import type { CompiledRoute, CompiledRules } from './compile';

export interface ShadowedRoute {
  route: string;
  index: number;
  shadowedBy: string;
}

/**
 * Linear in the routes for ordinary rules files: a route can only be covered by an earlier
 * `prefix**` route (kept in one list, usually short) or by an earlier route whose name is
 * the same once captures are ignored (looked up by that name). A pairwise check of every
 * route against every earlier one took seconds at 10,000 routes.
 */
export function findShadowedRoutes(rules: CompiledRules): ShadowedRoute[] {
  const found: ShadowedRoute[] = [];
  const prefixCovers: CompiledRoute[] = [];
  const sameName = new Map<string, CompiledRoute[]>();
  for (const later of rules.routes) {
    const earlier = firstOf([
      prefixCovers.find((a) => covers(a, later)),
      later.namePattern === undefined
        ? undefined
        : sameName.get(normalize(later.namePattern))?.find((a) => covers(a, later)),
    ]);
    if (earlier) found.push({ route: later.name, index: later.index, shadowedBy: earlier.name });
    if (later.hasConditions || later.namePattern === undefined) continue;
    if (isPrefixCover(later.namePattern)) prefixCovers.push(later);
    const key = normalize(later.namePattern);
    sameName.set(key, [...(sameName.get(key) ?? []), later]);
  }
  return found;
}

/** The earliest in rules order. */
function firstOf(candidates: (CompiledRoute | undefined)[]): CompiledRoute | undefined {
  return candidates
    .filter((c): c is CompiledRoute => c !== undefined)
    .sort((x, y) => x.index - y.index)[0];
}

function isPrefixCover(name: string): boolean {
  return name.endsWith('**') && !/[*{}]/.test(name.slice(0, -2));
}

function covers(a: CompiledRoute, b: CompiledRoute): boolean {
  if (a.hasConditions || a.namePattern === undefined) return false;
  if (!bucketCovers(a.bucketPattern, b.bucketPattern)) return false;
  const name = a.namePattern;
  if (isPrefixCover(name)) {
    const prefix = name.slice(0, -2);
    if (b.namePattern === undefined) return prefix === '';
    return b.namePattern.startsWith(prefix);
  }
  return b.namePattern !== undefined && normalize(name) === normalize(b.namePattern);
}

const bucketGlobs = new Map<string, ReturnType<typeof compileGlob>>();

function bucketCovers(a: string, b: string): boolean {
  if (a === b) return true;
  if (!a.includes('*') || b.includes('*')) return false;
  let glob = bucketGlobs.get(a);
  if (!glob) {
    glob = compileGlob(a);
    bucketGlobs.set(a, glob);
  }
  return glob.test(b);
}

function normalize(pattern: string): string {
  return pattern.replace(/\{[^{}]*\}/g, '{}');
}
