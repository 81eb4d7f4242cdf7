/**
 * What the per-object event path does for sweeps (called from handler.ts):
 * - objects of `mode: batch` routes are left to the sweep (acknowledged as ignored);
 * - after a submit or a duplicate, the object is marked with its job id (state `submitted`),
 *   so a catch-up sweep does not even try it again;
 * - a sweep command runs the sweep and logs its summary as one line.
 */
import { PermanentError } from '../errors';
import type { MarkerWriter } from '../gcp/storage/markers';
import type { CompiledRules } from '../routing/compile';
import { SweepCommandError } from '../sweep/run';
import type { SweepSummary } from '../sweep/summary';
import type { InputKind, ObjectPointer, ObjectRef, SweepCommand } from '../types';
import { type Done, logRedelivery } from './outcome';

export const LOADED_BY_SWEEP = 'loaded by sweep';

/** True when an object that arrived as an object event routes to a batch route. */
export function isLeftToSweep(rules: CompiledRules, route: string, via: InputKind): boolean {
  if (via !== 'object') return false;
  return rules.routes.find((r) => r.name === route)?.config.mode === 'batch';
}

/**
 * Marks the object with its job id. Never throws: the load already exists, and a missing
 * marker only means a later catch-up sweep resubmits the same job id and gets a 409
 * `duplicate` — harmless, whereas throwing would redeliver the event for nothing.
 * Returns what to log (`marker` field).
 */
export async function markSubmitted(
  markers: MarkerWriter,
  getObject: (pointer: ObjectPointer) => Promise<ObjectRef | undefined>,
  object: ObjectRef,
  jobId: string,
): Promise<string> {
  try {
    // The precondition needs the metageneration; events carry it, reads of old
    // notifications may not.
    const metageneration = object.metageneration ?? (await getObject(object))?.metageneration;
    if (metageneration === undefined) return 'skipped: metageneration unknown';
    const result = await markers.write(
      { bucket: object.bucket, name: object.name, generation: object.generation, metageneration },
      { jobId, state: 'submitted' },
    );
    // conflict: the metadata changed since the event (another marker, or an edit);
    // gone: a newer generation replaced it. Either way nothing is lost.
    return result.kind;
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Runs a sweep command. A bad command is refused and acknowledged; a run that stopped on a
 * retryable failure is logged and acknowledged (the next scheduled sweep continues where it
 * stopped, claims included); so is a permanent failure (logged as an error: an operator must
 * act); anything unexpected is thrown so the command is redelivered.
 */
export async function handleSweep(
  sweep: ((command: SweepCommand) => Promise<SweepSummary>) | undefined,
  command: SweepCommand,
  done: Done,
): Promise<void> {
  if (!sweep) {
    done('WARNING', 'sweep command refused: sweeps are not wired', {
      outcome: 'refused',
      reason: 'sweeps are not available in this deployment',
    });
    return;
  }
  let summary: SweepSummary;
  try {
    summary = await sweep(command);
  } catch (error) {
    if (error instanceof SweepCommandError) {
      done('WARNING', `sweep command refused: ${error.message}`, {
        outcome: 'refused',
        reason: error.message,
      });
      return;
    }
    if (error instanceof PermanentError) {
      // Redelivery would fail the same way (e.g. a 403): logged once and acknowledged.
      done('ERROR', `sweep failed: ${error.message}`, {
        outcome: 'refused',
        reason: error.message,
      });
      return;
    }
    logRedelivery(done, error, {});
    throw error;
  }
  const { jobs, ...counts } = summary;
  done(summary.error ? 'WARNING' : 'INFO', `sweep ${summary.dryRun ? 'planned' : 'done'}`, {
    outcome: summary.dryRun ? 'ignored' : 'submitted',
    ...counts,
    ...(summary.error ? { reason: summary.error } : {}),
    jobIds: jobs.slice(0, 50).map((j) => `${j.jobId}:${j.outcome}`),
  });
}
