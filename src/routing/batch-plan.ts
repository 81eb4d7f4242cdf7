/**
 * Batch loads: many objects of one route and one destination in one load job. Pure.
 * The job id is derived from the route, the sweep run's token and the sorted member list,
 * and written into every member's marker when it is claimed. A later sweep recovering a
 * crashed one never recomputes the id: it reads it from the markers, so a resubmission uses
 * the same id and BigQuery answers 409 `duplicate` instead of loading twice.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad
 */
import { createHash } from 'node:crypto';
import { JOB_ID_PREFIX } from '../core/job-id';
import type { LoadJob, LoadPlan } from '../types';
import type { ObjectLoadTarget } from './plan';

/** One object generation in a batch. */
export interface BatchMember {
  bucket: string;
  name: string;
  generation: string;
  size: number;
}

/**
 * Objects whose targets have the same key can share one job: same route, billing project,
 * location, labels and every load option (destination included). Options may differ within
 * one route when object metadata overrides are allowed, so the whole target is the key.
 */
export function batchGroupKey(target: ObjectLoadTarget): string {
  return JSON.stringify([
    target.route,
    target.projectId,
    target.location,
    target.labels,
    target.load,
  ]);
}

/** Members in a canonical order: by URI, then generation. */
export function sortMembers<T extends BatchMember>(members: readonly T[]): T[] {
  return [...members].sort((a, b) =>
    a.bucket !== b.bucket
      ? cmp(a.bucket, b.bucket)
      : a.name !== b.name
        ? cmp(a.name, b.name)
        : cmp(a.generation, b.generation),
  );
}

/**
 * `bqal_<route>_batch_<sha256 hex>` over the route, the claim token and the sorted member
 * list. The token (one per sweep run) keeps two concurrent sweeps that planned the same chunk
 * from sharing an id: each claims only part of the chunk, and under one id the second
 * insert would be a 409 `duplicate` of a job that does not hold its members.
 */
export function batchJobId(
  route: string,
  members: readonly BatchMember[],
  claimToken = '',
): string {
  const hash = createHash('sha256');
  // One JSON array per member, newline-separated: unambiguous whatever the names hold.
  hash.update(JSON.stringify(['batch-v1', route, claimToken]), 'utf8');
  for (const m of sortMembers(members)) {
    hash.update(`\n${JSON.stringify([m.bucket, m.name, m.generation])}`, 'utf8');
  }
  return `${JOB_ID_PREFIX}${route.replace(/[^A-Za-z0-9_-]/g, '_')}_batch_${hash.digest('hex')}`;
}

/**
 * The load plan for `members` (at least one) under `target`. `jobId` defaults to the id of
 * the member list; a recovering sweep passes the id it found in the markers.
 */
export function planBatchLoad(
  target: ObjectLoadTarget,
  members: readonly BatchMember[],
  jobId: string = batchJobId(target.route, members),
): LoadPlan {
  const sorted = sortMembers(members);
  const first = sorted[0];
  if (!first) throw new Error('a batch load needs at least one member');
  const sourceUris = sorted.map((m) => `gs://${m.bucket}/${m.name}`);
  const { projectId, location } = target;
  const job: LoadJob = {
    jobReference: { projectId, jobId, location },
    configuration: { load: { ...target.load, sourceUris }, labels: target.labels },
  };
  const more = sorted.length > 1 ? ` (+${sorted.length - 1} more)` : '';
  return {
    route: target.route,
    projectId,
    location,
    jobId,
    job,
    object: `${sourceUris[0]}${more}`,
  };
}

/**
 * Splits sorted members into chunks of at most `maxFiles` objects and `maxBytes` bytes (an
 * object larger than maxBytes alone still gets its own chunk: BigQuery decides about it).
 */
export function chunkMembers<T extends BatchMember>(
  members: readonly T[],
  limits: { maxFiles: number; maxBytes: number },
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const m of members) {
    if (
      current.length > 0 &&
      (current.length >= limits.maxFiles || bytes + m.size > limits.maxBytes)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += m.size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
