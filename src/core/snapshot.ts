/**
 * Snapshot mode (route option `snapshot: true`): a BigQuery source URI cannot name a
 * generation, so the claimed generation is first copied to a staging object whose name is
 * derived from the job id and the original name, and the job loads the copy. The name is
 * deterministic (a redelivery copies to the same place) and says which object it holds, so
 * whoever finishes the job (completion event, sweep) finds the original from the job's
 * source URI alone. Under OWN_PREFIX: never routed, never loaded by itself. Pure.
 */
import { MAX_OBJECT_NAME_BYTES, OWN_PREFIX } from './object-name';

export const SNAPSHOT_PREFIX = `${OWN_PREFIX}snapshots/`;

/** Job ids are [A-Za-z0-9_-]: the first `/` after the prefix ends the id. */
export function snapshotName(jobId: string, name: string): string {
  return `${SNAPSHOT_PREFIX}${jobId}/${name}`;
}

/** Why an object of this name cannot be snapshotted (the copy's name would be too long). */
export function snapshotNameProblem(jobId: string, name: string): string | undefined {
  const bytes = Buffer.byteLength(snapshotName(jobId, name), 'utf8');
  if (bytes <= MAX_OBJECT_NAME_BYTES) return undefined;
  return `its snapshot name would be ${bytes} bytes long; Cloud Storage allows at most ${MAX_OBJECT_NAME_BYTES} (shorten the name or turn snapshot off for the route)`;
}

/** The job id and original name a snapshot name holds, or undefined for any other name. */
export function parseSnapshotName(snapshot: string): { jobId: string; name: string } | undefined {
  if (!snapshot.startsWith(SNAPSHOT_PREFIX)) return undefined;
  const rest = snapshot.slice(SNAPSHOT_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  const jobId = rest.slice(0, slash);
  if (!/^[A-Za-z0-9_-]+$/.test(jobId)) return undefined;
  return { jobId, name: rest.slice(slash + 1) };
}
