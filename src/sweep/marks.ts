/** Marker writes of a sweep over many members at once, failures counted in the summary. */
import { mapLimit } from '../core/pool';
import type { MarkerState } from '../gcp/storage/markers';
import type { SweepRun } from './context';
import type { SweepMember } from './members';

/** Marker writes in flight at once. */
export const MARKER_CONCURRENCY = 64;

export async function markAll(
  run: SweepRun,
  members: SweepMember[],
  jobId: string,
  state: MarkerState,
): Promise<void> {
  const results = await mapLimit(members, MARKER_CONCURRENCY, async (m) => {
    try {
      return (await run.deps.markers.write(m, { jobId, state })).kind === 'written';
    } catch {
      return false; // a later sweep finds the claim, sees the job and completes the marker
    }
  });
  run.summary.markerFailures += results.filter((ok) => !ok).length;
}

/**
 * Removes the members' markers, each pinned to the metageneration the sweep knows (its own
 * claim's, or the listed one): a marker someone wrote since is never cleared (412, or 404
 * for an overwritten object, both count as done: the claim is not there any more). Returns
 * how many claims were removed.
 */
export async function clearAll(run: SweepRun, members: SweepMember[]): Promise<number> {
  const clear = run.deps.markers.clear?.bind(run.deps.markers);
  const results = await mapLimit(members, MARKER_CONCURRENCY, async (m) => {
    if (!clear) return 'failed';
    try {
      return (await clear(m)).kind === 'written' ? 'cleared' : 'changed';
    } catch {
      return 'failed'; // the claim stays; the next sweep's recovery takes it after the grace period
    }
  });
  run.summary.markerFailures += results.filter((r) => r === 'failed').length;
  return results.filter((r) => r === 'cleared').length;
}
