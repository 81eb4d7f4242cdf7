/**
 * Routing for inputs other systems send over Pub/Sub. Pure: which topics may publish, which
 * routes take which input (`accepts`), and the plan for an object a load request names.
 * A requested object is planned exactly like a finalize event (same job id), so an object
 * an event already loaded comes back from BigQuery as a `duplicate`.
 */
import { compileGlob } from '../core/glob';
import { gsUri } from '../core/gs-uri';
import type { InputKind, ObjectRef, RouteDecision } from '../types';
import type { CompiledRoute, CompiledRules } from './compile';
import { type PlanContext, planObjectLoad } from './plan';
import { RouteIndex } from './route-index';

/** The inputs a route takes; `[object]` when the rules file says nothing. */
export function routeAccepts(route: CompiledRoute, kind: InputKind): boolean {
  return (route.config.accepts ?? ['object']).includes(kind);
}

const views = new WeakMap<CompiledRules, Map<string, CompiledRules>>();

/**
 * The rules as seen by one input kind (and optionally one named route): the same routes and
 * allowlists, with an index over only the routes that may take it. Cached per rules object.
 */
export function rulesAccepting(
  rules: CompiledRules,
  kind: InputKind,
  routeName?: string,
): CompiledRules {
  let cache = views.get(rules);
  if (!cache) {
    cache = new Map();
    views.set(rules, cache);
  }
  const key = `${kind}\n${routeName ?? ''}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const routes = rules.routes.filter(
    (r) => routeAccepts(r, kind) && (routeName === undefined || r.name === routeName),
  );
  // Candidates keep their rules-file index, so `rules.routes[i]` still finds them.
  const view = { ...rules, index: new RouteIndex(routes) };
  cache.set(key, view);
  return view;
}

/** Why a message from `topic` may not send requests or inline data; undefined when it may. */
export function topicProblem(rules: CompiledRules, topic: string | undefined): string | undefined {
  const allowed = rules.config.allow?.topics ?? [];
  if (allowed.length === 0)
    return 'allow.topics is not set: no topic may send requests or inline data';
  if (topic === undefined) {
    return 'the source topic is unknown (the push endpoint must end with projects/P/topics/T)';
  }
  return topicAllowed(allowed, topic) ? undefined : `topic ${topic} is not in allow.topics`;
}

/**
 * Why a GCS notification or a sweep command from `topic` is refused: only when the rules
 * set allow.notificationTopics / allow.sweepTopics (unset: every topic that reaches the
 * function, as before those keys existed).
 */
export function inputTopicProblem(
  rules: CompiledRules,
  kind: 'notification' | 'sweep',
  topic: string | undefined,
): string | undefined {
  const key = kind === 'sweep' ? 'sweepTopics' : 'notificationTopics';
  const allowed = rules.config.allow?.[key] ?? [];
  if (allowed.length === 0) return undefined;
  if (topic === undefined) {
    return 'the source topic is unknown (the push endpoint must end with projects/P/topics/T)';
  }
  return topicAllowed(allowed, topic) ? undefined : `topic ${topic} is not in allow.${key}`;
}

function topicAllowed(allowed: readonly string[], topic: string): boolean {
  // `*` stays within one segment: `projects/p/topics/ingest-*` cannot reach another project.
  return allowed.some((glob) => compileGlob(glob, { stopAt: '/' }).test(topic));
}

/** The route named in a request or inline message, or why it cannot be used for `kind`. */
export function namedRoute(
  rules: CompiledRules,
  name: string,
  kind: InputKind,
): { route: CompiledRoute } | { problem: string } {
  const route = rules.routes.find((r) => r.name === name);
  if (!route) return { problem: `no route named "${name}"` };
  if (!routeAccepts(route, kind)) {
    return { problem: `route "${name}" does not accept ${kind} (add it to its accepts list)` };
  }
  return { route };
}

/**
 * The plan for one object named by a load request. Only routes that accept requests are
 * considered; a named route must exist, accept requests and match the object. An object no
 * such route matches is refused (not ignored): the publisher asked for it explicitly.
 */
export function planRequestedObject(
  rules: CompiledRules,
  object: ObjectRef,
  routeName: string | undefined,
  ctx: PlanContext,
): RouteDecision {
  if (routeName !== undefined) {
    const named = namedRoute(rules, routeName, 'request');
    if ('problem' in named) return { kind: 'refused', reason: named.problem, route: routeName };
  }
  const decision = planObjectLoad(rulesAccepting(rules, 'request', routeName), object, ctx);
  if (decision.kind === 'load' && routeIsBatch(rules, decision.plan.route)) {
    // A batch route's objects are loaded by sweeps, many per job with another job id: a
    // per-object load here would load them a second time.
    return {
      kind: 'refused',
      reason: `route "${decision.plan.route}" is a batch route (mode: batch): its objects are loaded by sweeps`,
      route: decision.plan.route,
    };
  }
  if (decision.kind !== 'ignored') return decision;
  const uri = gsUri(object);
  const reason =
    routeName === undefined
      ? `no route that accepts requests matches ${uri}`
      : `${uri} does not match route "${routeName}"`;
  return { kind: 'refused', reason, route: routeName };
}

function routeIsBatch(rules: CompiledRules, name: string): boolean {
  return rules.routes.find((r) => r.name === name)?.config.mode === 'batch';
}
