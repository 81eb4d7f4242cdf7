/**
 * First-match-wins route lookup through the prefix index: only routes whose literal prefix
 * the object's `bucket/name` starts with are tried, in rules-file order.
 */
import type { ObjectRef } from '../types';
import type { CompiledRoute, CompiledRules } from './compile';

export interface RouteMatch {
  route: CompiledRoute;
  captures: Record<string, string>;
}

export function matchRoute(rules: CompiledRules, object: ObjectRef): RouteMatch | undefined {
  const key = `${object.bucket}/${object.name}`;
  const candidates: number[] = [];
  for (const length of rules.index.prefixLengths) {
    if (length > key.length) break;
    const found = rules.index.byPrefix.get(key.slice(0, length));
    if (found) candidates.push(...found);
  }
  candidates.sort((a, b) => a - b);
  for (const i of candidates) {
    const route = rules.routes[i];
    const captures = route?.match(object);
    if (route && captures) return { route, captures };
  }
  return undefined;
}
