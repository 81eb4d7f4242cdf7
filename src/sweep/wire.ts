/**
 * Builds a sweep runner over the real clients; shared by the function (src/pipeline/wire.ts) and
 * the CLI (src/cli/sweep.ts).
 */

import type { BigQueryClient } from '../gcp/bigquery/client';
import type { RetryOptions } from '../gcp/retry';
import { createObjectChanges, type ObjectChanges } from '../gcp/storage/changes';
import { createLeaseStore } from '../gcp/storage/lease';
import { createObjectLister, type ObjectLister } from '../gcp/storage/listing';
import { createMarkerWriter, type MarkerWriter } from '../gcp/storage/markers';
import type { JobEventDeps } from '../outcomes/job-event';
import { reconcileSubmitted } from '../outcomes/reconcile';
import { withSnapshot } from '../outcomes/snapshot';
import type { CompiledRules } from '../routing/compile';
import type { SweepCommand } from '../types';
import { runSweep, type SweepDeps } from './run';
import type { SweepProgress, SweepSummary } from './summary';

export interface SweeperOptions {
  rules: () => Promise<CompiledRules>;
  runtimeProject: () => Promise<string>;
  bigquery: BigQueryClient;
  markers?: MarkerWriter;
  /** Default: a lister of its own (the function passes the one it already has). */
  lister?: ObjectLister;
  retry?: RetryOptions;
  /** How old a claim must be before a sweep recovers it (Settings.sweepClaimGraceSeconds). */
  claimGraceSeconds?: number;
  /** Copies for routes with `snapshot` (default: a client of its own). */
  changes?: ObjectChanges;
  /** Finishes `claimed` and `submitted` objects after each real run (docs/outcomes.md: What happens to my file); absent: skipped. */
  reconcile?: Omit<JobEventDeps, 'runtimeProject'>;
}

export function createSweeper(
  options: SweeperOptions,
): (
  command: Partial<SweepCommand>,
  onProgress?: (progress: SweepProgress) => void,
) => Promise<SweepSummary> {
  const lister = options.lister ?? createObjectLister({ retry: options.retry });
  const markers = options.markers ?? createMarkerWriter({ retry: options.retry });
  const leases = createLeaseStore({ retry: options.retry });
  const changes = options.changes ?? createObjectChanges({ retry: options.retry });
  // Catch-up loads of `snapshot` routes copy the claimed generation first, as events do.
  const insertJob = withSnapshot((plan) => options.bigquery.insertJob(plan), changes);
  const grace = options.claimGraceSeconds;
  return async (command, onProgress) => {
    const [rules, runtimeProject] = await Promise.all([options.rules(), options.runtimeProject()]);
    const deps: SweepDeps = {
      rules,
      runtimeProject,
      lister,
      markers,
      leases,
      insertJob,
      findJob: options.bigquery.findJob,
      ...(grace === undefined ? {} : { claimGraceSeconds: grace }),
      ...(onProgress ? { onProgress } : {}),
    };
    const summary = await runSweep(deps, command);
    if (!options.reconcile || summary.dryRun) return summary;
    // A separate step after the sweep's own work: finish loads whose completion was never seen.
    const routes = rules.routes.filter((r) => summary.routes.includes(r.name));
    summary.reconciled = await reconcileSubmitted(
      {
        ...options.reconcile,
        // A failed batch is loaded again without the files its errors name (batch-reload.ts).
        insertJob: options.bigquery.insertJob,
        lister,
        runtimeProject: options.runtimeProject,
      },
      rules,
      routes,
      rules.config.project ?? runtimeProject,
    );
    return summary;
  };
}
