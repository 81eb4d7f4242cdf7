/**
 * Issue 5 through the real function: a sweep command published by the scheduler, batch
 * route events left to the sweep, per-object loads marked, missed events caught up and the
 * late events afterwards duplicates.
 */
import { MARKER_JOB, MARKER_STATE } from '../../src/gcp/storage/markers';
import { binaryStorageEvent, post, sweepEvent, type TestObject } from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';

const BUCKET = 'landing-fn';
const RULES = `
routes:
  - name: single
    match: gs://${BUCKET}/single/*.ndjson
    destination: raw.single
    schema: { fields: [{ name: id, type: INTEGER }] }
  - name: feed
    match: gs://${BUCKET}/feed/**.ndjson
    destination: raw.feed
    schema: { fields: [{ name: id, type: INTEGER }] }
    mode: batch
    batch: { maxFiles: 50 }
`;

let stack: LocalStack;
let fn: FunctionProcess;

beforeAll(async () => {
  stack = await startLocalStack();
  fn = await startFunction({ ...stack.env, AUTOLOADER_CONFIG: stack.writeRules(RULES) });
});

afterAll(async () => {
  await fn?.stop();
  await stack?.close();
});

function put(name: string, id: number): TestObject {
  const o = stack.gcs.store.insert(BUCKET, name, Buffer.from(`{"id":${id}}\n`), {});
  return { bucket: BUCKET, name, generation: o.generation, size: Number(o.size) };
}

async function outcomeOf(object: string) {
  return fn.waitForLog(
    (l) => l.object === `gs://${BUCKET}/${object}` && typeof l.outcome === 'string',
  );
}

async function count(table: string): Promise<number> {
  const [row] = await stack.bigquery.query(
    `SELECT count(DISTINCT id)::INTEGER AS n, count(*)::INTEGER AS total FROM raw.${table}`,
  );
  expect(row?.n).toBe(row?.total);
  return Number(row?.n);
}

describe('sweeps through the function', () => {
  it('leaves batch objects to the sweep, catches up missed per-object events, and late events are duplicates', async () => {
    const feed = Array.from({ length: 60 }, (_, i) => put(`feed/part-${i}.ndjson`, i));
    const missed = Array.from({ length: 3 }, (_, i) => put(`single/missed-${i}.ndjson`, 100 + i));
    const delivered = put('single/delivered.ndjson', 200);

    // A batch route's finalize event is acknowledged and left to the sweep.
    expect((await post(fn.url, binaryStorageEvent(feed[0] as TestObject))).status).toBe(204);
    expect(await outcomeOf('feed/part-0.ndjson')).toMatchObject({
      outcome: 'ignored',
      reason: 'loaded by sweep',
    });
    // A per-object event claims the object with its job id, then loads it.
    expect((await post(fn.url, binaryStorageEvent(delivered))).status).toBe(204);
    const loaded = await outcomeOf('single/delivered.ndjson');
    expect(loaded).toMatchObject({ outcome: 'submitted', claim: 'claimed' });
    expect(stack.gcs.store.get(BUCKET, 'single/delivered.ndjson').metadata).toEqual({
      [MARKER_JOB]: loaded.jobId,
      [MARKER_STATE]: 'claimed',
    });

    // The scheduler's tick.
    expect((await post(fn.url, sweepEvent({ kind: 'sweep', minAgeSeconds: 0 }))).status).toBe(204);
    const summary = await fn.waitForLog((l) => l.message === 'sweep done');
    expect(summary).toMatchObject({
      outcome: 'submitted',
      matched: 64,
      marked: 1,
      planned: 5,
      submitted: 5,
    });
    for (const entry of summary.jobIds as string[]) {
      const job = await stack.bigquery.waitForJob(TEST_PROJECT, entry.split(':')[0] ?? '');
      expect(job.status).not.toHaveProperty('errorResult');
    }
    expect(await count('feed')).toBe(60);
    expect(await count('single')).toBe(4);

    // The missed events finally arrive: the same job ids, so BigQuery answers duplicate.
    for (const object of missed) {
      expect((await post(fn.url, binaryStorageEvent(object))).status).toBe(204);
      expect(await outcomeOf(object.name)).toMatchObject({ outcome: 'duplicate' });
    }
    expect(await count('single')).toBe(4);
  });
});
