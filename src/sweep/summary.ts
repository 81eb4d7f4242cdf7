/** What a sweep reports: the CLI prints it as JSON, the function logs it as one line. */

import type { ReconcileSummary } from '../outcomes/reconcile';

export type SweepJobKind = 'batch' | 'recovery' | 'catch-up';

export type SweepJobOutcome =
  | 'planned'
  | 'submitted'
  | 'duplicate'
  /** A recovered claim whose job turned out to exist: only the markers were completed. */
  | 'exists'
  | 'refused'
  | 'not-claimed'
  | 'retry';

export interface SweepJob {
  kind: SweepJobKind;
  jobId: string;
  route: string;
  destination: string;
  files: number;
  bytes: number;
  outcome: SweepJobOutcome;
  reason?: string;
}

export interface SweepSummary {
  dryRun: boolean;
  routes: string[];
  /** Objects listed under the routes' prefixes. */
  listed: number;
  /** Listed objects that route to a swept route. */
  matched: number;
  /** Matched objects already carrying a marker (claimed by their event, submitted, loaded or failed). */
  marked: number;
  /** Younger than minAgeSeconds: left to their events and the next sweep. */
  tooYoung: number;
  /** Per-object routes: older than the catch-up window. */
  tooOld: number;
  /** Objects refused by the rules (zero bytes, placeholders, bad destinations...). */
  refused: number;
  /** Jobs not submitted because BigQuery or a check refused them (outcome `refused`). */
  refusedJobs: number;
  /** Left for a later run by the per-run job budget. */
  deferred: number;
  /** Claims younger than the grace period: another sweep is working on them. */
  claimsInFlight: number;
  /** Objects lost to another sweep's claim between listing and claiming. */
  claimConflicts: number;
  /** Marker writes that failed after the job existed (completed by a later sweep). */
  markerFailures: number;
  /** Claims this run cleared after BigQuery refused their insert (a 4xx other than 409: no job). */
  released: number;
  planned: number;
  submitted: number;
  duplicates: number;
  jobs: SweepJob[];
  /** `claimed` and `submitted` objects finished from jobs.get after the sweep (docs/outcomes.md: What happens to my file). */
  reconciled?: ReconcileSummary;
  /** Set when the run stopped early on a retryable failure; the next sweep continues. */
  error?: string;
  /** Prefixes whose listing, or buckets whose lease, Cloud Storage refused for good, with why. */
  skipped?: string[];
  /** Buckets left alone because another sweep held their lease (src/sweep/leases.ts). */
  busy?: string[];
  /** The tick's token, recorded in the leases this run took. */
  token?: string;
}

export interface SweepProgress {
  listed: number;
  matched: number;
  planned: number;
  submitted: number;
}

export function emptySummary(dryRun: boolean, routes: string[]): SweepSummary {
  return {
    dryRun,
    routes,
    listed: 0,
    matched: 0,
    marked: 0,
    tooYoung: 0,
    tooOld: 0,
    refused: 0,
    refusedJobs: 0,
    deferred: 0,
    claimsInFlight: 0,
    claimConflicts: 0,
    markerFailures: 0,
    released: 0,
    planned: 0,
    submitted: 0,
    duplicates: 0,
    jobs: [],
  };
}
