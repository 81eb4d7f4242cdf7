/**
 * Reconciliation, run by scheduled sweeps after their own work (src/sweep/wire.ts): objects
 * still marked `claimed` or `submitted` whose completion was never seen (no wait, a lost or filtered
 * audit-log event, a wait that timed out) are finished from jobs.get, exactly as a
 * completion event would finish them (job-event.ts). Jobs still running are left for the
 * next sweep. Bounded per run, so a backlog cannot make a sweep overrun its schedule.
 */

import { compileGlob } from '../core/glob';
import { PermanentError, RetryableError } from '../errors';
import type { ObjectLister } from '../gcp/storage/listing';
import { markerOf } from '../gcp/storage/markers';
import type { LogFields } from '../log';
import type { CompiledRoute, CompiledRules } from '../routing/compile';
import { listTargets } from '../routing/list-targets';
import { finishJobFromEvent, type JobEventDeps } from './job-event';

export const MAX_RECONCILE_PER_RUN = 200;
const MAX_LISTED_RELOADS = 20;

/**
 * Markers whose job may be done without the object knowing: `submitted` (sweeps) and
 * `claimed` (the event path claims before its insert and writes nothing after it).
 */
const UNFINISHED = new Set(['claimed', 'submitted']);

function isNotFound(error: unknown): boolean {
  return error instanceof PermanentError && error.status === 404;
}

export interface ReconcileSummary {
  /** Distinct jobs of `claimed` or `submitted` objects looked up with jobs.get. */
  checked: number;
  loaded: number;
  failed: number;
  /** Still running (or not visible yet): the next sweep looks again. */
  running: number;
  /** Objects whose marker names a job that does not exist: nothing to finish. */
  unsubmitted: number;
  /**
   * Failed batch jobs reloaded without the files their errors name (batch-reload.ts): the
   * one place a sweep's log line shows them. At most MAX_LISTED_RELOADS.
   */
  reloads?: { jobId: string; reloadJobId: string; quarantined: unknown }[];
  /** Set when reconciliation stopped on an error; the next sweep continues. */
  error?: string;
}

export async function reconcileSubmitted(
  deps: JobEventDeps & { lister: ObjectLister },
  rules: CompiledRules,
  routes: readonly CompiledRoute[],
  projectId: string,
  limit = MAX_RECONCILE_PER_RUN,
): Promise<ReconcileSummary> {
  const summary: ReconcileSummary = {
    checked: 0,
    loaded: 0,
    failed: 0,
    running: 0,
    unsubmitted: 0,
  };
  const seen = new Set<string>();
  try {
    for await (const { bucket, prefix } of buckets(deps.lister, routes)) {
      for await (const page of deps.lister.listObjects(bucket, prefix)) {
        for (const object of page) {
          const marker = markerOf(object.metadata);
          if (!marker || !UNFINISHED.has(marker.state) || seen.has(marker.jobId)) continue;
          if (summary.checked >= limit) return summary;
          seen.add(marker.jobId);
          summary.checked += 1;
          const outcome = await finishJobFromEvent(deps, rules, {
            projectId,
            jobId: marker.jobId,
          }).catch((error: unknown) => {
            // No such job: a claim whose insert never happened (caught up by the sweep itself),
            // or a job BigQuery no longer remembers. Counted, and the next object is looked at.
            if (isNotFound(error)) return undefined;
            throw error;
          });
          if (!outcome) {
            summary.unsubmitted += 1;
            continue;
          }
          noteReload(summary, outcome.fields);
          const state = outcome.fields.state;
          if (state === 'loaded') summary.loaded += 1;
          else if (state === 'failed') summary.failed += 1;
          else summary.running += 1;
        }
      }
    }
  } catch (error) {
    // Google said no (or not now): reported, and the next sweep continues. A bug is thrown.
    if (!(error instanceof RetryableError || error instanceof PermanentError)) throw error;
    summary.error = error.message;
  }
  return summary;
}

function noteReload(summary: ReconcileSummary, fields: LogFields): void {
  const { jobId, reloadJobId, quarantined } = fields;
  if (typeof jobId !== 'string' || typeof reloadJobId !== 'string') return;
  summary.reloads ??= [];
  if (summary.reloads.length < MAX_LISTED_RELOADS) {
    summary.reloads.push({ jobId, reloadJobId, quarantined });
  }
}

async function* buckets(
  lister: ObjectLister,
  routes: readonly CompiledRoute[],
): AsyncGenerator<{ bucket: string; prefix: string }> {
  const targets = listTargets(routes);
  for (const t of targets) {
    if (!t.bucketPattern.includes('*')) yield { bucket: t.bucketPattern, prefix: t.prefix };
  }
  const globs = targets.filter((t) => t.bucketPattern.includes('*'));
  if (globs.length === 0) return;
  for await (const page of lister.listBuckets()) {
    for (const bucket of page) {
      for (const g of globs) {
        if (compileGlob(g.bucketPattern).test(bucket)) yield { bucket, prefix: g.prefix };
      }
    }
  }
}
