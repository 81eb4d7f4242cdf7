/**
 * First-match-wins route lookup through the index: only routes that can match the object's
 * bucket and name prefix are tried, in rules-file order.
 */
import type { ObjectRef } from '../types';
import type { CompiledRoute, CompiledRules } from './compile';

export interface RouteMatch {
  route: CompiledRoute;
  captures: Record<string, string>;
}

export function matchRoute(rules: CompiledRules, object: ObjectRef): RouteMatch | undefined {
  for (const i of rules.index.candidates(object.bucket, object.name)) {
    const route = rules.routes[i];
    const captures = route?.match(object);
    if (route && captures) return { route, captures };
  }
  return undefined;
}
