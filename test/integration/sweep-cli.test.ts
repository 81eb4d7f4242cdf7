/** `bq-autoloader sweep`, run as built (`dist/cli.js`), against the local servers. */
import { MARKER_STATE } from '../../src/gcp/storage/markers';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { runCli } from '../support/run-cli';

let stack: LocalStack;
let rules: string;

beforeAll(async () => {
  stack = await startLocalStack();
  rules = stack.writeRules(`
routes:
  - name: feed
    match: gs://landing-cli/feed/*.ndjson
    destination: raw.feed
    schema: { fields: [{ name: id, type: INTEGER }] }
    mode: batch
    batch: { maxFiles: 20 }
`);
});

afterAll(async () => {
  await stack?.close();
});

function sweep(args: string[], json = true) {
  return runCli(['sweep', '--config', rules, ...(json ? ['--json'] : []), ...args], {
    METADATA_SERVER_DETECTION: 'assume-present',
    ...stack.env,
  });
}

describe('bq-autoloader sweep', () => {
  it('prints the plan of a dry run as JSON, then loads it for real', async () => {
    for (let i = 0; i < 30; i += 1) {
      stack.gcs.store.insert('landing-cli', `feed/f${i}.ndjson`, Buffer.from(`{"id":${i}}\n`), {});
    }

    const dry = await sweep(['--dry-run', '--min-age', '0']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      dryRun: true,
      listed: 30,
      planned: 2,
      jobs: [
        { kind: 'batch', files: 20, outcome: 'planned' },
        { kind: 'batch', files: 10, outcome: 'planned' },
      ],
    });
    expect(stack.gcs.store.get('landing-cli', 'feed/f0.ndjson').metadata).toBeUndefined();

    const real = await sweep(['--route', 'feed', '--min-age', '0']);
    expect(real.code).toBe(0);
    const summary = JSON.parse(real.stdout) as { submitted: number; jobs: { jobId: string }[] };
    expect(summary.submitted).toBe(2);
    for (const job of summary.jobs) await stack.bigquery.waitForJob(TEST_PROJECT, job.jobId);
    const [row] = await stack.bigquery.query(
      'SELECT count(DISTINCT id)::INTEGER AS n FROM raw.feed',
    );
    expect(row?.n).toBe(30);
    // The run's own reconciliation may already have seen the jobs finish.
    expect(['submitted', 'loaded']).toContain(
      stack.gcs.store.get('landing-cli', 'feed/f0.ndjson').metadata?.[MARKER_STATE],
    );

    // No function runs here to hear the jobs finish: the next sweep finishes them, as the
    // scheduled one does, and submits nothing again.
    const next = await sweep(['--route', 'feed', '--min-age', '0']);
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout)).toMatchObject({ submitted: 0, refusedJobs: 0 });
    for (let i = 0; i < 30; i += 1) {
      expect(stack.gcs.store.get('landing-cli', `feed/f${i}.ndjson`).metadata?.[MARKER_STATE]).toBe(
        'loaded',
      );
    }
  });

  it('prints a readable summary without --json', async () => {
    const text = await sweep(['--route', 'feed', '--min-age', '0', '--dry-run'], false);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^dry run: routes feed\nobjects: 30 listed, 30 matched, 30 already marked/,
    );
    expect(text.stderr).not.toMatch(/listed \d+ {2}matched/); // no progress line in a pipe
  });

  it.each([
    ['an unknown route', ['--route', 'nope'], 2, /unknown routes: nope/],
    ['a bad age', ['--min-age', 'soon'], 2, /--min-age <seconds>' argument 'soon' is invalid/],
  ])('exits with a usage error for %s', async (_what, args, code, message) => {
    const result = await sweep(args);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
  });
});
