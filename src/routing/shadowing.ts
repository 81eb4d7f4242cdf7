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

export function findShadowedRoutes(rules: CompiledRules): ShadowedRoute[] {
  const found: ShadowedRoute[] = [];
  rules.routes.forEach((later, j) => {
    const earlier = rules.routes.slice(0, j).find((a) => covers(a, later));
    if (earlier) found.push({ route: later.name, index: later.index, shadowedBy: earlier.name });
  });
  return found;
}

function covers(a: CompiledRoute, b: CompiledRoute): boolean {
  if (a.hasConditions || a.namePattern === undefined) return false;
  if (!bucketCovers(a.bucketPattern, b.bucketPattern)) return false;
  const name = a.namePattern;
  if (name.endsWith('**') && !/[*{}]/.test(name.slice(0, -2))) {
    const prefix = name.slice(0, -2);
    if (b.namePattern === undefined) return prefix === '';
    return b.namePattern.startsWith(prefix);
  }
  return b.namePattern !== undefined && normalize(name) === normalize(b.namePattern);
}

function bucketCovers(a: string, b: string): boolean {
  if (a === b) return true;
  return a.includes('*') && !b.includes('*') && compileGlob(a).test(b);
}

function normalize(pattern: string): string {
  return pattern.replace(/\{[^{}]*\}/g, '{}');
}
