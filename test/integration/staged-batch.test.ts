/**
 * A batch route with dedupe (docs/transforms.md: Batches): 300 files with overlapping keys
 * are loaded by sweeps as one load job into one staging table and one MERGE, and finished by
 * the reconciling sweeps: each key lands once with its latest value, every file is marked
 * loaded, and a further sweep changes nothing.
 */
import { MARKER_JOB, MARKER_STATE } from '../../src/gcp/storage/markers';
import { sweepOnce } from '../support/events';
import { functionOnStack } from '../support/function-on-stack';
import { TEST_PROJECT } from '../support/local-stack';

const BUCKET = 'batch-dedupe-b';
const FILES = 300;
const KEYS = 100;
const RULES = `
routes:
  - name: feed
    match: gs://${BUCKET}/feed/*.ndjson
    destination: raw.feed
    schema: { fields: [{ name: id, type: INT64 }, { name: seq, type: INT64 }] }
    mode: batch
    dedupe: { key: [id], keep: latest, order_by: seq }
`;

const on = functionOnStack(RULES);

/** One tick; answers its summary line. */
const sweep = () => sweepOnce(on.fn);

function markers(): Record<string, string>[] {
  return on.stack.gcs.store.list(BUCKET, { prefix: 'feed/' }).items.map((o) => o.metadata ?? {});
}

it('300 files, one load and one MERGE: each key once with its latest value', async () => {
  for (let f = 0; f < FILES; f += 1) {
    // File f holds keys f % KEYS and (f + 1) % KEYS; seq grows with f, so the last file wins.
    const lines = [f % KEYS, (f + 1) % KEYS].map((id) => JSON.stringify({ id, seq: f }));
    on.stack.gcs.store.insert(
      BUCKET,
      `feed/${String(f).padStart(3, '0')}.ndjson`,
      Buffer.from(`${lines.join('\n')}\n`),
      {},
    );
  }
  expect(await sweep()).toMatchObject({ submitted: 1 });
  for (let tick = 0; tick < 6; tick += 1) {
    const pending = markers().filter((m) => m[MARKER_STATE] !== 'loaded');
    if (pending.length === 0) break;
    for (const jobId of new Set(pending.map((m) => m[MARKER_JOB] as string))) {
      await on.stack.bigquery.waitForJob(TEST_PROJECT, jobId);
      await sweep();
      await on.stack.bigquery.waitForJob(TEST_PROJECT, `${jobId}_q`);
    }
    await sweep();
  }
  const all = markers();
  expect(all).toHaveLength(FILES);
  expect(all.every((m) => m[MARKER_STATE] === 'loaded')).toBe(true);
  const jobs = new Set(all.map((m) => m[MARKER_JOB]));
  expect(jobs.size).toBe(1);
  const rows = await on.stack.bigquery.query(
    'SELECT id::INTEGER AS id, seq::INTEGER AS seq FROM raw.feed ORDER BY id',
  );
  expect(rows).toHaveLength(KEYS);
  // What each key should end as: the highest seq of any file holding it.
  const latest = new Map<number, number>();
  for (let f = 0; f < FILES; f += 1) for (const id of [f % KEYS, (f + 1) % KEYS]) latest.set(id, f);
  expect(rows).toEqual(Array.from({ length: KEYS }, (_, k) => ({ id: k, seq: latest.get(k) })));

  const posts = on.stack.bigquery.requests.filter((r) => r.method === 'POST').length;
  expect(await sweep()).toMatchObject({ submitted: 0 });
  expect(on.stack.bigquery.requests.filter((r) => r.method === 'POST').length).toBe(posts);
});
