/**
 * `bq-autoloader sweep [--route R]... [--dry-run] [--min-age S] [--config F] [--project P]`:
 * the scheduled sweep, run by hand. Progress on stderr when it is a terminal (objects
 * listed, matched, planned, submitted); the JSON summary on stdout. Exit 0 when the sweep
 * completed, 1 when it stopped early on a retryable failure (run it again).
 */
import { parseArgs } from 'node:util';
import { createGoogleClients } from '../gcp/clients';
import { readCliSettings, readSettings } from '../settings';
import { SweepCommandError } from '../sweep/run';
import type { SweepProgress } from '../sweep/summary';
import { createSweeper } from '../sweep/wire';
import { loadCliRules } from './rules';

export async function sweep(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
  stderr: NodeJS.WriteStream = process.stderr,
): Promise<{ exitCode: number }> {
  const settings = readCliSettings(env);
  const { sweepClaimGraceSeconds } = readSettings(env);
  const { values } = parseArgs({
    args,
    options: {
      route: { type: 'string', multiple: true },
      'dry-run': { type: 'boolean', default: false },
      'min-age': { type: 'string' },
      config: { type: 'string' },
      project: { type: 'string' },
    },
  });
  const minAge = values['min-age'] === undefined ? undefined : Number(values['min-age']);
  if (minAge !== undefined && (!Number.isInteger(minAge) || minAge < 0)) {
    stderr.write(`--min-age must be a whole number of seconds >= 0, got ${values['min-age']}\n`);
    return { exitCode: 2 };
  }
  const google = createGoogleClients({ retry: {} }, { env });
  const loaded = await loadCliRules(
    values.config ?? settings.configLocation,
    google.objects,
    stderr,
    { edge: google.edge, env },
  );
  if (!loaded.ok) return { exitCode: loaded.exitCode };
  const { rules } = loaded;
  const run = createSweeper({
    rules: async () => rules,
    runtimeProject: async () =>
      values.project ?? settings.project ?? (await google.runtimeProject()),
    bigquery: google.bigquery,
    markers: google.markers,
    lister: google.lister,
    ...(sweepClaimGraceSeconds === undefined ? {} : { claimGraceSeconds: sweepClaimGraceSeconds }),
  });
  const show = stderr.isTTY ? progressLine(stderr) : undefined;
  try {
    const summary = await run(
      {
        ...(values.route ? { routes: values.route } : {}),
        ...(minAge === undefined ? {} : { minAgeSeconds: minAge }),
        dryRun: values['dry-run'],
      },
      show,
    );
    if (show) stderr.write('\n');
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    // 1: stopped early, a prefix was skipped (Cloud Storage refused its listing for good), or
    // a bucket was left to another sweep holding its lease.
    const partial = summary.error || summary.skipped?.length || summary.busy?.length;
    return { exitCode: partial ? 1 : 0 };
  } catch (error) {
    if (!(error instanceof SweepCommandError)) throw error;
    stderr.write(`${error.message}\n`);
    return { exitCode: 2 };
  }
}

/** One self-overwriting line, at most ten times a second. */
function progressLine(stream: NodeJS.WriteStream): (p: SweepProgress) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    stream.write(
      `\rlisted ${p.listed}  matched ${p.matched}  planned ${p.planned}  submitted ${p.submitted}`,
    );
  };
}
