/**
 * What `bq-autoloader status` reports, computed from object markers (docs/outcomes.md: What happens to my file).
 * Pure: the CLI lists the objects and passes the clock.
 */
import { gsUri } from '../core/gs-uri';
import { markerOf } from '../gcp/storage/markers';
import { type ClosestRoute, closestRoute } from '../routing/closest';
import type { CompiledRoute, CompiledRules } from '../routing/compile';
import { listTargets } from '../routing/list-targets';
import { planObjectLoad } from '../routing/plan';
import { finalDestination } from '../routing/staging';
import type { ObjectRef } from '../types';

export interface ObjectStatus {
  object: string;
  generation: string;
  /** `none`: no marker (not loaded yet, or not routed). */
  state: string;
  jobId?: string;
  rows?: string;
  error?: string;
  updated?: string;
}

export function objectStatus(object: ObjectRef & { updated?: string }): ObjectStatus {
  const marker = markerOf(object.metadata);
  return {
    object: gsUri(object),
    generation: object.generation,
    state: marker?.state ?? 'none',
    ...(marker?.jobId ? { jobId: marker.jobId } : {}),
    ...(marker?.rows ? { rows: marker.rows } : {}),
    ...(marker?.error ? { error: marker.error } : {}),
    ...(object.updated ? { updated: object.updated } : {}),
  };
}

export interface RouteStatusSummary {
  route: string;
  since: string;
  objects: number;
  states: Record<string, number>;
  /** Sum of the output rows of `loaded` objects. */
  rows: number;
  /** The most recent failures (at most 20). */
  failures: ObjectStatus[];
}

/** `90s`, `30m`, `1h`, `7d` → milliseconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    match[2] as 's' | 'm' | 'h' | 'd'
  ];
  return Number(match[1]) * unit;
}

/** Objects changed (uploaded or marked) at or after `sinceMs`, counted by state. */
export function summarizeRoute(
  route: string,
  objects: Iterable<ObjectRef & { updated?: string }>,
  sinceMs: number,
): RouteStatusSummary {
  const states: Record<string, number> = {};
  const failures: ObjectStatus[] = [];
  let count = 0;
  let rows = 0;
  for (const object of objects) {
    const when = Date.parse(object.updated ?? object.timeCreated ?? '');
    if (!(when >= sinceMs)) continue;
    const status = objectStatus(object);
    count += 1;
    states[status.state] = (states[status.state] ?? 0) + 1;
    if (status.state === 'loaded' && status.rows) rows += Number(status.rows);
    if (status.state === 'failed') failures.push(status);
  }
  failures.sort((a, b) => (b.updated ?? '').localeCompare(a.updated ?? ''));
  return {
    route,
    since: new Date(sinceMs).toISOString(),
    objects: count,
    states,
    rows,
    failures: failures.slice(0, 20),
  };
}

/**
 * Where the routes' objects are to be listed for recent loads (`bq-autoloader status`, the
 * local status page): each literal bucket's prefixes, none inside another (listTargets, as
 * sweeps list them). Routes whose bucket is a glob cannot be listed without listing every
 * bucket: they are named in `unlisted`.
 */
export function loadPlaces(routes: readonly CompiledRoute[]): {
  places: { bucket: string; prefix: string }[];
  unlisted: string[];
} {
  const literal = routes.filter((r) => !r.bucketPattern.includes('*'));
  return {
    places: listTargets(literal).map((t) => ({ bucket: t.bucketPattern, prefix: t.prefix })),
    unlisted: routes.filter((r) => r.bucketPattern.includes('*')).map((r) => r.name),
  };
}

/** Objects carrying a marker, most recently changed first, at most `limit`. */
export function recentLoads(
  objects: Iterable<ObjectRef & { updated?: string }>,
  limit: number,
): ObjectStatus[] {
  const marked = [...objects].map(objectStatus).filter((s) => s.state !== 'none');
  marked.sort((a, b) => (b.updated ?? '').localeCompare(a.updated ?? ''));
  return marked.slice(0, limit);
}

/** What the loader would do with an object that has no marker yet. */
export type Unmarked =
  | { would: 'load'; route: string; destination: string; jobId: string }
  | { would: 'ignore' | 'refuse'; route?: string; reason: string; closest?: ClosestRoute };

export function explainUnmarked(
  rules: CompiledRules,
  object: ObjectRef,
  runtimeProject: string,
): Unmarked {
  const decision = planObjectLoad(rules, object, { runtimeProject });
  if (decision.kind === 'load') {
    const table = finalDestination(decision.plan);
    return {
      would: 'load',
      route: decision.plan.route,
      destination: `${table.projectId}.${table.datasetId}.${table.tableId}`,
      jobId: decision.plan.jobId,
    };
  }
  const would = decision.kind === 'ignored' ? 'ignore' : 'refuse';
  if (decision.route) return { would, route: decision.route, reason: decision.reason };
  const closest = closestRoute(rules.routes, object);
  return { would, reason: decision.reason, ...(closest ? { closest } : {}) };
}
