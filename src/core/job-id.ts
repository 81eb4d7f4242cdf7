/**
 * Deterministic job ids: the same object generation routed by the same route always maps to
 * the same id, so a redelivered event gets 409 `duplicate` from BigQuery instead of a second
 * load. `jobReference.jobId` must match `^[A-Za-z0-9_-]{1,1024}$`.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/JobReference
 */
import { createHash } from 'node:crypto';

export const JOB_ID_PREFIX = 'bqal_';

export interface ObjectJobKey {
  bucket: string;
  name: string;
  generation: string;
  route: string;
}

/** `bqal_<route>_<sha256 hex>`; the route keeps ids readable, the digest keeps them unique. */
export function objectJobId(key: ObjectJobKey): string {
  // JSON of an array is an unambiguous encoding: no choice of separators inside the names
  // can make two different keys hash the same input ("a/b"+"c" vs "a"+"b/c").
  const input = JSON.stringify(['object-v1', key.bucket, key.name, key.generation, key.route]);
  const digest = createHash('sha256').update(input, 'utf8').digest('hex');
  return `${JOB_ID_PREFIX}${key.route.replace(/[^A-Za-z0-9_-]/g, '_')}_${digest}`;
}
