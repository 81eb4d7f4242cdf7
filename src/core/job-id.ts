/**
 * Deterministic job ids: the same input (object generation, inline message, batch of
 * objects) routed by the same route always maps to the same id, so a redelivered event gets
 * 409 `duplicate` from BigQuery instead of a second load. Every id is
 * `bqal_<route>[_<kind>]_<sha256 hex>`: the route keeps ids readable, the digest unique.
 * `jobReference.jobId` must match `^[A-Za-z0-9_-]{1,1024}$`.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/JobReference
 */
import { createHash } from 'node:crypto';

export const JOB_ID_PREFIX = 'bqal_';

/** One object generation: what an object id and a batch id are derived from. */
export interface ObjectGeneration {
  bucket: string;
  name: string;
  generation: string;
}

export interface ObjectJobKey extends ObjectGeneration {
  route: string;
}

/**
 * The one hashing helper. Each id function passes its input as JSON arrays: JSON of an array
 * is an unambiguous encoding, so no choice of separators inside names can make two different
 * inputs hash the same text ("a/b"+"c" vs "a"+"b/c"). The version tag first in each input
 * (`object-v1`, ...) keeps the kinds apart.
 */
function deterministicJobId(route: string, kind: string, inputs: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const input of inputs) hash.update(input, 'utf8');
  return `${jobIdStart(route, kind)}${hash.digest('hex')}`;
}

/** What every id of one route and kind starts with: `bqal_<route>[_<kind>]_`. */
function jobIdStart(route: string, kind: string): string {
  const readable = route.replace(/[^A-Za-z0-9_-]/g, '_');
  return `${JOB_ID_PREFIX}${readable}${kind ? `_${kind}` : ''}_`;
}

/** Whether `jobId` has the shape of a many-file job id of `route`: a sweep's batch or its reload. */
export function isBatchJobIdOf(jobId: string, route: string): boolean {
  return ['batch', 'reload'].some((kind) => {
    const start = jobIdStart(route, kind);
    return jobId.startsWith(start) && /^[0-9a-f]{64}$/.test(jobId.slice(start.length));
  });
}

/** `bqal_<route>_<sha256 hex>` over bucket, name, generation and route. */
export function objectJobId(key: ObjectJobKey): string {
  const input = JSON.stringify(['object-v1', key.bucket, key.name, key.generation, key.route]);
  return deterministicJobId(key.route, '', [input]);
}

/**
 * Attempts (docs/outcomes.md: Retrying a failed load): a load job that ended DONE with an error keeps
 * its id forever, so `bq-autoloader retry` submits the same load under `<id>_a<n>`, n ≥ 2.
 * Attempt 1 is the plain id, so loads made before attempts existed read as attempt 1. A
 * plain id ends in 64 hex digits, so no plain id ever looks like an attempt of another.
 */
export function attemptJobId(jobId: string, attempt: number): string {
  return attempt <= 1 ? jobId : `${jobId}_a${attempt}`;
}

/** Which attempt of `firstJobId` the id `jobId` is; undefined when it is none of them. */
export function attemptOf(jobId: string, firstJobId: string): number | undefined {
  if (jobId === firstJobId) return 1;
  if (!jobId.startsWith(`${firstJobId}_a`)) return undefined;
  const suffix = jobId.slice(firstJobId.length + 2);
  if (!/^[1-9][0-9]{0,5}$/.test(suffix)) return undefined;
  const attempt = Number(suffix);
  return attempt >= 2 ? attempt : undefined;
}

/** `bqal_<route>_inline_<sha256 hex>` over topic, message id and route. */
export function inlineJobId(topic: string, messageId: string, route: string): string {
  return deterministicJobId(route, 'inline', [
    JSON.stringify(['inline-v1', topic, messageId, route]),
  ]);
}

/**
 * `bqal_<route>_batch_<sha256 hex>` over the route, the claim token and the sorted member
 * list. The token (one per sweep run) keeps two concurrent sweeps that planned the same chunk
 * from sharing an id: each claims only part of the chunk, and under one id the second
 * insert would be a 409 `duplicate` of a job that does not hold its members.
 */
export function batchJobId(
  route: string,
  members: readonly ObjectGeneration[],
  claimToken = '',
): string {
  // One JSON array per member, newline-separated: unambiguous whatever the names hold.
  function* inputs(): Generator<string> {
    yield JSON.stringify(['batch-v1', route, claimToken]);
    for (const m of sortMembers(members))
      yield `\n${JSON.stringify([m.bucket, m.name, m.generation])}`;
  }
  return deterministicJobId(route, 'batch', inputs());
}

/**
 * `bqal_<route>_reload_<sha256 hex>` over the route, the failed batch job's id and the sorted
 * URIs it is reloaded with. Both come from the failed job itself (its id and sources, less the
 * ones its errors name), so every finisher of that job — completion event, redelivery,
 * reconciling sweep — computes the same id and a second insert is a 409 `duplicate`. No
 * generations: the failed job's markers pinned them, and its id stands for them.
 */
export function reloadJobId(
  route: string,
  failedJobId: string,
  sourceUris: readonly string[],
): string {
  function* inputs(): Generator<string> {
    yield JSON.stringify(['reload-v1', route, failedJobId]);
    for (const uri of [...sourceUris].sort(cmp)) yield `\n${JSON.stringify(uri)}`;
  }
  return deterministicJobId(route, 'reload', inputs());
}

/** Members in the canonical order a batch id hashes them in: by URI, then generation. */
export function sortMembers<T extends ObjectGeneration>(members: readonly T[]): T[] {
  return [...members].sort(
    (a, b) => cmp(a.bucket, b.bucket) || cmp(a.name, b.name) || cmp(a.generation, b.generation),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The query job that writes a staged load's rows into its destination (docs/transforms.md):
 * `<load job id>_q`, and `_q2`, `_q3` for the attempts after one lost to a concurrent
 * update. Derived from the load's id, so every finisher of that load inserts the same query
 * and a second insert is a 409 `duplicate`: each attempt runs once. No load id ends in `_q`
 * or `_q<n>` (plain ids end in hex digits, attempts in `_a<n>`).
 */
export function queryJobId(loadJobId: string, attempt = 1): string {
  return queryAttemptId(`${loadJobId}_q`, attempt);
}

/** Attempt `attempt` of the query whose first attempt is `firstQueryJobId` (`…_q`). */
export function queryAttemptId(firstQueryJobId: string, attempt: number): string {
  return attempt > 1 ? `${firstQueryJobId}${attempt}` : firstQueryJobId;
}

/** Query attempts per staged load: BigQuery itself retries a conflicting DML statement 3 times first. */
export const MAX_QUERY_ATTEMPTS = 3;

/** The load job whose staged query `jobId` is, or undefined when it is no such query. */
export function loadJobIdOfQuery(jobId: string): string | undefined {
  if (!jobId.startsWith(JOB_ID_PREFIX)) return undefined;
  const suffix = /_q([0-9]*)$/.exec(jobId);
  if (!suffix) return undefined;
  const attempt = suffix[1] ? Number(suffix[1]) : 1;
  const known =
    suffix[1] === '' ||
    (attempt >= 2 && attempt <= MAX_QUERY_ATTEMPTS && suffix[1] === String(attempt));
  return known ? jobId.slice(0, suffix.index) : undefined;
}

/**
 * The staging table a staged load job writes: its id with `-` (allowed in job ids, not in
 * table ids) as `_`. Route names keep ids readable and the digest keeps them unique, so two
 * routes whose names differ only by `-`/`_` still get different tables.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableReference
 */
export function stagingTableId(loadJobId: string): string {
  return loadJobId.replace(/-/g, '_');
}
