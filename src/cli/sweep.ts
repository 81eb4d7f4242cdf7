/**
 * `bq-autoloader sweep [--route R]... [--dry-run] [--min-age S] [--config F] [--project P]
 * [--json]`: the scheduled sweep, run by hand, exactly as the function runs it — including
 * the reconciliation that finishes `claimed` and `submitted` objects whose job completion was
 * never seen. Progress on stderr when it is a terminal (objects listed, matched, planned,
 * submitted); the summary on stdout. Exit 0 when the sweep completed, 1 when it stopped early,
 * skipped a prefix, left a bucket to another sweep, or a job was refused (run it again, or
 * read the reasons), 2 on a usage error (an unknown route).
 */
import { createGoogleClients } from '../gcp/clients';
import { outcomeDeps } from '../pipeline/wire';
import { readCliSettings, readSettings } from '../settings';
import { SweepCommandError } from '../sweep/run';
import type { SweepProgress, SweepSummary } from '../sweep/summary';
import { createSweeper } from '../sweep/wire';
import { printResult, progressLine } from './output';
import { loadCliRules, rulesFile } from './rules';
import { EXIT, type Exit, UsageError } from './usage';

export interface SweepFlags {
  route?: string[];
  dryRun?: boolean;
  minAge?: number;
  config?: string;
  project?: string;
  json?: boolean;
}

export async function sweep(
  values: SweepFlags,
  env: NodeJS.ProcessEnv = process.env,
  stderr: NodeJS.WriteStream = process.stderr,
): Promise<Exit> {
  const settings = readCliSettings(env);
  const { sweepClaimGraceSeconds } = readSettings(env);
  const google = createGoogleClients({ retry: {} }, { env });
  const loaded = await loadCliRules(rulesFile(values.config, env, stderr), google.objects, stderr, {
    edge: google.edge,
    env,
  });
  if (!loaded.ok) return { exitCode: loaded.exitCode };
  const { rules } = loaded;
  const runtimeProject = async () =>
    values.project ?? settings.project ?? (await google.runtimeProject());
  const run = createSweeper({
    rules: async () => rules,
    runtimeProject,
    bigquery: google.bigquery,
    markers: google.markers,
    lister: google.lister,
    changes: google.changes,
    // As the scheduled sweep does: finish loads whose completion no event reported.
    reconcile: outcomeDeps(google),
    ...(sweepClaimGraceSeconds === undefined ? {} : { claimGraceSeconds: sweepClaimGraceSeconds }),
  });
  const progress = progressLine<SweepProgress>(
    stderr,
    (p) =>
      `listed ${p.listed}  matched ${p.matched}  planned ${p.planned}  submitted ${p.submitted}`,
  );
  let summary: SweepSummary;
  try {
    summary = await run(
      {
        ...(values.route ? { routes: values.route } : {}),
        ...(values.minAge === undefined ? {} : { minAgeSeconds: values.minAge }),
        dryRun: values.dryRun ?? false,
      },
      progress.show,
    );
  } catch (error) {
    if (!(error instanceof SweepCommandError)) throw error;
    throw new UsageError(error.message);
  } finally {
    progress.done();
  }
  printResult(values.json, summary, () => describeSweep(summary));
  const partial =
    summary.error ||
    summary.skipped?.length ||
    summary.busy?.length ||
    summary.refusedJobs > 0 ||
    summary.reconciled?.error;
  return { exitCode: partial ? EXIT.failure : EXIT.ok };
}

/** The summary as a few lines of text; `--json` has every field. */
export function describeSweep(s: SweepSummary): string {
  const lines = [
    `${s.dryRun ? 'dry run: ' : ''}routes ${s.routes.join(', ') || '(none)'}`,
    `objects: ${s.listed} listed, ${s.matched} matched, ${s.marked} already marked, ${s.tooYoung} too young, ${s.tooOld} too old, ${s.refused} refused by the rules, ${s.deferred} deferred`,
    `jobs: ${s.planned} planned, ${s.submitted} submitted, ${s.duplicates} duplicate, ${s.refusedJobs} refused, ${s.released} claims released`,
  ];
  for (const job of s.jobs) {
    const reason = job.reason ? ` (${job.reason})` : '';
    lines.push(
      `  ${job.outcome.padEnd(9)} ${job.jobId}  ${job.route} → ${job.destination}, ${job.files} files${reason}`,
    );
  }
  const r = s.reconciled;
  if (r) {
    lines.push(
      `reconciled: ${r.checked} jobs checked, ${r.loaded} loaded, ${r.failed} failed, ${r.running} running, ${r.unsubmitted} unsubmitted${r.error ? `; stopped: ${r.error}` : ''}`,
    );
  }
  if (s.error) lines.push(`stopped early: ${s.error} (run the sweep again)`);
  for (const prefix of s.skipped ?? []) lines.push(`skipped: ${prefix}`);
  for (const bucket of s.busy ?? []) lines.push(`busy (another sweep holds its lease): ${bucket}`);
  return lines.join('\n');
}
