/**
 * What `bq-autoloader status` reports, computed from object markers (docs/outcomes.md: What happens to my file).
 * Pure: the CLI lists the objects and passes the clock.
 */
import { gsUri } from '../core/gs-uri';
import { markerOf } from '../gcp/storage/markers';
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
