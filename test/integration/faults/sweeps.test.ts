/**
 * Issue 13's proof, sweeps: `bq-autoloader sweep` (dist/cli.js, as built) killed with
 * SIGKILL between its claims and its insert while a second sweep runs beside it; the next
 * sweep after the claim grace period finishes the job exactly once. In-process variants
 * (two concurrent sweeps, a sweep "killed" by a throwing insert) are in sweep.test.ts.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { LEASE_NAME } from '../../../src/gcp/storage/lease';
import { MARKER_JOB, MARKER_STATE } from '../../../src/gcp/storage/markers';
import { type LocalStack, startLocalStack } from '../../support/local-stack';
import { BUCKET, createLedger, type Written } from './ledger';

const REPO = resolve(__dirname, '../../..');
let stack: LocalStack;
let rules: string;
let ledger: ReturnType<typeof createLedger>;

beforeAll(async () => {
  stack = await startLocalStack();
  ledger = createLedger(stack);
  rules = stack.writeRules(`
routes:
  - name: feed
    match: gs://${BUCKET}/feed/*.ndjson
    destination: raw.feed
    schema: { fields: [{ name: id, type: INTEGER }, { name: tag, type: STRING }] }
    mode: batch
    batch: { maxFiles: 20 }
`);
});

afterAll(async () => {
  await stack?.close();
});

function cli(): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  return {
    file: process.execPath,
    args: [join(REPO, 'dist/cli.js'), 'sweep', '--config', rules, '--min-age', '0', '--json'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: mkdtempSync(join(tmpdir(), 'bqal-cli-home-')),
      METADATA_SERVER_DETECTION: 'assume-present',
      // Small, so that the dead sweep's lease and claims are recovered within the test.
      AUTOLOADER_SWEEP_CLAIM_GRACE_SECONDS: '1',
      ...stack.env,
    },
  };
}

interface Summary {
  submitted: number;
  busy?: string[];
  claimsInFlight?: number;
  jobs: { kind: string; jobId: string; files: number; outcome: string }[];
}

async function sweep(): Promise<Summary> {
  const { file, args, env } = cli();
  try {
    const { stdout } = await promisify(execFile)(file, args, { cwd: REPO, env });
    return JSON.parse(stdout) as Summary;
  } catch (error) {
    // A sweep that ran but reported an error exits non-zero with its summary on stdout.
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    if (stdout?.startsWith('{')) return JSON.parse(stdout) as Summary;
    throw new Error(`sweep failed: ${stderr}`);
  }
}

function markers(): { job?: string; state?: string }[] {
  const page = stack.gcs.store.list(BUCKET, { prefix: 'feed/' });
  return page.items.map((o) => ({
    job: o.metadata?.[MARKER_JOB],
    state: o.metadata?.[MARKER_STATE],
  }));
}

it('a sweep killed with SIGKILL between claim and insert, beside a concurrent one: the next sweep loads every file once', async () => {
  const written: Written[] = Array.from({ length: 50 }, (_, i) =>
    ledger.write(`feed/f${String(i).padStart(2, '0')}.ndjson`, `feed-${i}`, 1),
  );
  let release = () => {};
  const held = new Promise<void>((onHold) => {
    stack.bigquery.injectFault({
      method: 'POST',
      path: /\/jobs$/,
      hold: new Promise<void>((r) => {
        release = r;
      }),
      onHold,
    });
  });
  const { file, args, env } = cli();
  const victim: ChildProcess = spawn(file, args, { cwd: REPO, env, stdio: 'ignore' });
  const exited = new Promise((r) => victim.once('exit', r));
  try {
    await held;
    // A second sweep while the first holds the lease and waits on its insert: it leaves
    // the bucket alone.
    const beside = await sweep();
    expect(beside.busy).toEqual([expect.stringContaining(`gs://${BUCKET}: held by sweep`)]);
    expect(beside.jobs).toEqual([]);
  } finally {
    victim.kill('SIGKILL');
    await exited;
    release();
  }
  const claimed = markers().filter((m) => m.state === 'claimed');
  expect(claimed.length).toBeGreaterThan(0);
  expect(() => stack.gcs.store.get(BUCKET, LEASE_NAME)).not.toThrow();

  // Sweep until nothing is left: first the grace period runs out (the dead sweep's lease
  // and claims), then its claims are recovered under their own job ids, the rest planned.
  // Every file is then submitted — or already loaded: a sweep also reconciles the jobs an
  // earlier one submitted, which the local BigQuery finishes at once.
  const handled = () => markers().every((m) => m.state === 'submitted' || m.state === 'loaded');
  const summaries: Summary[] = [];
  for (let i = 0; i < 20 && !handled(); i += 1) {
    await new Promise((r) => setTimeout(r, 300));
    summaries.push(await sweep());
  }
  expect(handled()).toBe(true);
  const jobs = summaries.flatMap((s) => s.jobs).filter((j) => j.outcome === 'submitted');
  expect(jobs.reduce((n, j) => n + j.files, 0)).toBe(50);
  // The dead sweep's claims went in under the job id they carried.
  const deadJobs = new Set(claimed.map((m) => m.job));
  expect(jobs.filter((j) => deadJobs.has(j.jobId)).map((j) => j.kind)).toEqual(
    [...deadJobs].map(() => 'recovery'),
  );
  await ledger.expectExactlyOnce(
    'feed',
    written,
    Object.fromEntries(written.map((w) => [w.name, 1])),
  );
  // And nothing more is found to do.
  expect(await sweep()).toMatchObject({ submitted: 0, jobs: [] });
});
