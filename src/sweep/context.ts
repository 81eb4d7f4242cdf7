/**
 * What one sweep run carries from start to end: its dependencies, the clock reading and token
 * it started with, the per-table job budget, and the summary every step adds to.
 */
import { randomBytes } from 'node:crypto';
import type { LeaseStore } from '../gcp/storage/lease';
import type { ObjectLister } from '../gcp/storage/listing';
import type { MarkerWriter } from '../gcp/storage/markers';
import type { CompiledRoute, CompiledRules } from '../routing/compile';
import { rulesAccepting } from '../routing/request-plan';
import type { LoadPlan } from '../types';
import { type BatchLimits, jobsPerRun, RunBudget } from './budget';
import { emptySummary, type SweepJob, type SweepProgress, type SweepSummary } from './summary';

/** Claims younger than this belong to a sweep still running, not to one that died. */
export const DEFAULT_CLAIM_GRACE_SECONDS = 600;

/** What a route without `batch` settings gets: BigQuery's maxima, 1,000 jobs over 96 runs. */
const DEFAULT_BATCH: BatchLimits = {
  maxFiles: 10_000,
  maxBytes: 15 * 1000 ** 4,
  jobsPerDay: 1000,
  sweepsPerDay: 96,
};

export interface SweepDeps {
  rules: CompiledRules;
  runtimeProject: string;
  lister: ObjectLister;
  markers: MarkerWriter;
  insertJob: (plan: LoadPlan) => Promise<{ outcome: 'submitted' | 'duplicate' }>;
  /** The job, or undefined when BigQuery answers 404. */
  findJob: (projectId: string, jobId: string, location: string) => Promise<unknown | undefined>;
  now?: () => number;
  claimGraceSeconds?: number;
  /** One per run (default: random): see batchJobId. */
  runToken?: string;
  /** One sweep per bucket at a time (src/sweep/leases.ts); absent: no leases are taken. */
  leases?: LeaseStore;
  onProgress?: (progress: SweepProgress) => void;
}

export interface SweepRun {
  deps: SweepDeps;
  now: number;
  runToken: string;
  /** The tick's token (the command's `token`, else its Pub/Sub message id, else runToken). */
  token: string;
  dryRun: boolean;
  graceMs: number;
  /** The selected routes that take object events. */
  routes: CompiledRoute[];
  /** Rules routing objects exactly as their finalize events would be (first match wins). */
  routing: CompiledRules;
  budget: RunBudget;
  summary: SweepSummary;
  /** The batch limits of a route (defaults for a per-object route). */
  limits(route: string): BatchLimits;
  /** Jobs per destination table this run may start for `route`. */
  perRun(route: string): number;
  progress(): void;
  record(job: SweepJob): void;
}

export function startRun(
  deps: SweepDeps,
  routes: CompiledRoute[],
  dryRun: boolean,
  token?: string,
): SweepRun {
  const summary = emptySummary(
    dryRun,
    routes.map((r) => r.name),
  );
  const byRoute = new Map(routes.map((r) => [r.name, { ...DEFAULT_BATCH, ...r.config.batch }]));
  const limits = (route: string) => byRoute.get(route) ?? DEFAULT_BATCH;
  const progress = () =>
    deps.onProgress?.({
      listed: summary.listed,
      matched: summary.matched,
      planned: summary.planned,
      submitted: summary.submitted,
    });
  const runToken = deps.runToken ?? randomBytes(8).toString('hex');
  return {
    deps,
    now: (deps.now ?? Date.now)(),
    runToken,
    token: token ?? runToken,
    dryRun,
    graceMs: (deps.claimGraceSeconds ?? DEFAULT_CLAIM_GRACE_SECONDS) * 1000,
    routes,
    routing: rulesAccepting(deps.rules, 'object'),
    budget: new RunBudget(),
    summary,
    limits,
    perRun: (route) => jobsPerRun(limits(route)),
    progress,
    record(job) {
      summary.jobs.push(job);
      if (job.outcome === 'submitted') summary.submitted += 1;
      if (job.outcome === 'duplicate') summary.duplicates += 1;
      if (job.outcome === 'refused') summary.refusedJobs += 1;
      progress();
    },
  };
}
