/**
 * Finishes one load whose job is DONE, whoever noticed first (the in-process wait, a
 * job-completion event, a reconciling sweep), to the same final state:
 *
 * 1. the object generation's marker goes `claimed` or `submitted` → `loaded` | `failed` (with rows or the
 *    error), compare-and-set on the metageneration and pinned to the generation: an
 *    overwritten object (newer generation) is never marked, and of two finishers exactly
 *    one wins;
 * 2. the winner publishes one notification (`notifyTopic`);
 * 3. the post-load action runs (`onSuccess` / `onFailure`), also when the marker was already
 *    final, so a move that failed before is retried by the next delivery.
 *
 * Returns log fields; throws a RetryableError when a Cloud Storage step should be redelivered.
 */

import { gsUriAt } from '../core/gs-uri';
import { RetryableError } from '../errors';
import { type Marker, type MarkerWriter, markerOf } from '../gcp/storage/markers';
import type { ObjectPointer, ObjectRef } from '../types';
import type { FinishedJob } from './job-result';
import { loadNotification, notificationMessage } from './notify';
import type { ActionResult, ObjectActions, PostLoadAction } from './post-load';
import type { DiscardSnapshot } from './snapshot';

/** Marker values are custom metadata: keep them short. */
const MAX_ERROR_CHARS = 500;
const CAS_ATTEMPTS = 3;

export interface FinishDeps {
  getObject: (pointer: ObjectPointer) => Promise<ObjectRef | undefined>;
  markers: MarkerWriter;
  actions: ObjectActions;
  publish?: (topic: string, message: ReturnType<typeof notificationMessage>) => Promise<string>;
  /** Deletes a finished job's snapshot (route option `snapshot`, snapshot.ts). */
  discardSnapshot?: DiscardSnapshot;
}

export interface FinishInput {
  route: {
    name: string;
    onSuccess?: PostLoadAction;
    onFailure?: PostLoadAction;
    notifyTopic?: string;
  };
  object: ObjectPointer;
  jobId: string;
  destination: string;
  result: FinishedJob;
}

export interface FinishReport {
  state: 'loaded' | 'failed';
  /** written: this call finished it; already: someone did; gone: the generation no longer
   * exists; foreign: the object belongs to another job. */
  marker: 'written' | 'already' | 'gone' | 'foreign';
  action: ActionResult | 'skipped';
  notified?: string;
  rows?: string;
  bytes?: string;
  error?: string;
}

export async function finishLoad(deps: FinishDeps, input: FinishInput): Promise<FinishReport> {
  const { result } = input;
  const base = {
    state: result.state,
    ...(result.rows === undefined ? {} : { rows: result.rows }),
    ...(result.bytes === undefined ? {} : { bytes: result.bytes }),
    ...(result.state === 'failed' ? { error: result.reason } : {}),
  };
  const marker = await markFinished(deps, input);
  let notified: string | undefined;
  // Only the finisher that wrote the final marker notifies: a redelivery after a move or
  // delete finds the generation gone and must not announce the load a second time.
  if (marker === 'written') notified = await notify(deps, input);
  if (marker === 'gone' || marker === 'foreign') {
    return { ...base, marker, action: 'skipped', ...(notified ? { notified } : {}) };
  }
  const action = result.state === 'loaded' ? input.route.onSuccess : input.route.onFailure;
  const done = await deps.actions.apply(action, input.object);
  return { ...base, marker, action: done, ...(notified ? { notified } : {}) };
}

async function markFinished(deps: FinishDeps, input: FinishInput): Promise<FinishReport['marker']> {
  const { result } = input;
  const next: Marker = {
    jobId: input.jobId,
    state: result.state,
    ...(result.state === 'loaded' && result.rows !== undefined ? { rows: result.rows } : {}),
    ...(result.state === 'failed' ? { error: result.reason.slice(0, MAX_ERROR_CHARS) } : {}),
  };
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    // Pinned read: undefined when this generation was overwritten or deleted.
    const current = await deps.getObject(input.object);
    if (!current?.metageneration) return 'gone';
    const marker = markerOf(current.metadata);
    if (marker && marker.jobId !== input.jobId) return 'foreign';
    if (marker && (marker.state === 'loaded' || marker.state === 'failed')) return 'already';
    const written = await deps.markers.write(
      { ...input.object, metageneration: current.metageneration },
      next,
    );
    if (written.kind === 'written') return 'written';
    if (written.kind === 'gone') return 'gone';
    // conflict: the metadata changed since the read (a concurrent finisher, or a sweep's
    // `submitted` marker landing now): read again and decide again.
  }
  throw new RetryableError(
    `${gsUriAt(input.object)}: its metadata kept changing while the load was being marked finished`,
    { jobId: input.jobId },
  );
}

/**
 * Never throws: the load is finished and marked; a lost notification is logged (field
 * `notified: failed: …`) rather than redelivering an event whose state is already final.
 */
async function notify(deps: FinishDeps, input: FinishInput): Promise<string | undefined> {
  const topic = input.route.notifyTopic;
  if (!topic || !deps.publish) return undefined;
  const notification = loadNotification(
    {
      route: input.route.name,
      objects: [gsUriAt(input.object)],
      destination: input.destination,
      jobId: input.jobId,
    },
    input.result,
  );
  try {
    return `published: ${await deps.publish(topic, notificationMessage(notification))}`;
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}
