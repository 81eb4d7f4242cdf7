/**
 * The claim: before `jobs.insert`, the object generation's marker is written with
 * `ifGenerationMatch` and `ifMetagenerationMatch` (https://cloud.google.com/storage/docs/request-preconditions).
 * One request both records which job owns the generation and proves that the generation is
 * still the live one: BigQuery loads whatever bytes `gs://bucket/name` holds when the job
 * runs (a source URI cannot name a generation), so an event for an overwritten generation
 * must never reach the insert, or it would load the newer bytes under the old id.
 *
 * A 412 also answers a redelivery (our own earlier claim bumped the metageneration) and an
 * unrelated metadata edit: the live object is read once to tell them apart.
 */
import { gsUriAt } from '../core/gs-uri';
import { attemptOf } from '../core/job-id';
import { PermanentError, RetryableError } from '../errors';
import { type MarkerWriter, markerOf } from '../gcp/storage/markers';
import type { ObjectRef } from '../types';

export type ClaimResult =
  /** This call wrote the claim (`metageneration` is the object's new one). */
  | { kind: 'claimed'; metageneration: string }
  /**
   * The generation already carries this job's marker, or a later attempt's (a retry,
   * docs/outcomes.md: Retrying a failed load): a redelivery. `jobId` is the job the marker names.
   */
  | { kind: 'ours'; state: string; jobId: string }
  /** The generation is no longer the live one (overwritten or deleted). */
  | { kind: 'stale'; live?: string }
  /** Another job id owns the generation (another route, or rules that changed). */
  | { kind: 'foreign'; jobId: string };

export interface ClaimDeps {
  markers: MarkerWriter;
  getLiveObject: (bucket: string, name: string) => Promise<ObjectRef | undefined>;
}

/** Unrelated metadata edits racing the claim: after this many, redeliver. */
const ATTEMPTS = 3;

export async function claimObject(
  deps: ClaimDeps,
  object: ObjectRef,
  jobId: string,
): Promise<ClaimResult> {
  let metageneration = object.metageneration;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (metageneration !== undefined) {
      const target = { ...pointerOf(object), metageneration };
      const written = await deps.markers
        .write(target, { jobId, state: 'claimed' })
        .catch((error: unknown) => Promise.reject(explainForbidden(error, object)));
      if (written.kind === 'written')
        return { kind: 'claimed', metageneration: written.metageneration };
      if (written.kind === 'gone') return { kind: 'stale' };
    }
    const live = await deps.getLiveObject(object.bucket, object.name);
    if (!live || live.generation !== object.generation)
      return { kind: 'stale', live: live?.generation };
    const marker = markerOf(live.metadata);
    if (marker && attemptOf(marker.jobId, jobId) !== undefined)
      return { kind: 'ours', state: marker.state, jobId: marker.jobId };
    if (marker) return { kind: 'foreign', jobId: marker.jobId };
    metageneration = live.metageneration;
  }
  throw new RetryableError(
    `${gsUriAt(object)}: its metadata kept changing while it was being claimed`,
  );
}

/** A 403 on the claim is the deployment's, not the event's: say what to change. */
function explainForbidden(error: unknown, object: ObjectRef): unknown {
  if (!(error instanceof PermanentError) || error.status !== 403) return error;
  return new PermanentError(
    `${error.message} — claiming ${gsUriAt(object)} needs roles/storage.objectUser on bucket ${object.bucket} (or AUTOLOADER_MARKERS=off, without the generation check)`,
    { status: 403, reason: error.reason, cause: error },
  );
}

function pointerOf(object: ObjectRef) {
  return { bucket: object.bucket, name: object.name, generation: object.generation };
}
