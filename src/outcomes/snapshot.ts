/**
 * The life of a snapshot (route option `snapshot: true`, src/core/snapshot.ts): copied
 * right before the job is inserted, deleted once the job is finished.
 *
 * - `withSnapshot` wraps jobs.insert for every path that inserts a per-object job (events,
 *   load requests, sweep catch-up), after their claim: the claimed generation is copied
 *   (`ifSourceGenerationMatch`, `ifGenerationMatch=0`), then the job is inserted. A copy that
 *   already exists was made by an earlier delivery of the same job id (same bytes); a
 *   generation that is gone throws SnapshotGoneError, refused like a generation that is no
 *   longer live, and nothing is inserted.
 * - `discardSnapshots` deletes the snapshot a finished job read: called where a finished
 *   job is recorded (after-submit.ts for the in-process wait, job-event.ts for completion
 *   events and reconciling sweeps). An already-deleted snapshot is fine.
 */
import { gsUriAt, parseGsUri } from '../core/gs-uri';
import { parseSnapshotName } from '../core/snapshot';
import { PermanentError } from '../errors';
import type { LoadPlan } from '../types';

export class SnapshotGoneError extends PermanentError {}

export interface SnapshotCopier {
  snapshot(
    source: { bucket: string; name: string; generation: string },
    target: { bucket: string; name: string },
  ): Promise<'copied' | 'exists' | 'gone'>;
}

export function withSnapshot<T>(
  insertJob: (plan: LoadPlan) => Promise<T>,
  copier: SnapshotCopier,
): (plan: LoadPlan) => Promise<T> {
  return async (plan) => {
    if (plan.snapshot) {
      const { source, target } = plan.snapshot;
      if ((await copier.snapshot(source, target)) === 'gone') {
        throw new SnapshotGoneError(
          `${gsUriAt(source)} could not be snapshotted: generation ${source.generation} is no longer the live one (overwritten or deleted before it was copied)`,
          { status: 412, reason: 'conditionNotMet', jobId: plan.jobId },
        );
      }
    }
    return insertJob(plan);
  };
}

export type DiscardSnapshot = (object: { bucket: string; name: string }) => Promise<unknown>;

/** Deletes the snapshots among a finished job's sources that belong to this job id. */
export async function discardSnapshots(
  discard: DiscardSnapshot | undefined,
  jobId: string,
  sourceUris: readonly string[],
): Promise<void> {
  if (!discard) return;
  for (const uri of sourceUris) {
    const object = parseGsUri(uri);
    if (object && parseSnapshotName(object.name)?.jobId === jobId) await discard(object);
  }
}
