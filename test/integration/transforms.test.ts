/**
 * Transforms and dedupe end to end (docs/transforms.md) on the local stack, through the built
 * function: each file is loaded into a staging table, then the query job `<load id>_q` writes
 * the destination (INSERT … SELECT or MERGE) and the staging table is dropped. Proved here: a
 * transform that casts and renames; a dedupe over overlapping files in random order with
 * redeliveries; the function killed (SIGKILL) between the load and the query, then the event
 * redelivered: the query runs once and the rows are right.
 */
import { MARKER_JOB, MARKER_STATE } from '../../src/gcp/storage/markers';
import {
  binaryStorageEvent,
  completionEvent,
  deliver,
  post,
  type TestObject,
} from '../support/events';
import { functionOnStack } from '../support/function-on-stack';
import { startFunction } from '../support/function-process';
import { TEST_PROJECT } from '../support/local-stack';

const BUCKET = 'staged-b';
const ORDERS =
  '{ fields: [{ name: id, type: INT64 }, { name: customer, type: STRING }, { name: amount, type: NUMERIC }, { name: updated_at, type: TIMESTAMP }] }';
const TRANSFORM = `|
      SELECT SAFE_CAST(id AS INT64) AS id, UPPER(name) AS customer,
             SAFE_CAST(amt AS NUMERIC) AS amount,
             PARSE_TIMESTAMP('%d/%m/%Y %H:%M:%S', ts) AS updated_at
      FROM {staging}`;
const RULES = `
location: EU
routes:
  - name: orders
    match: gs://${BUCKET}/orders/*.ndjson
    destination: sales.orders
    schema: ${ORDERS}
    transform: ${TRANSFORM}
    wait: { timeoutSeconds: 60 }
  - name: latest
    match: gs://${BUCKET}/latest/*.ndjson
    destination: sales.latest
    schema: ${ORDERS}
    transform: ${TRANSFORM}
    dedupe: { key: [id], keep: latest, order_by: updated_at }
    wait: { timeoutSeconds: 60 }
  - name: killed
    match: gs://${BUCKET}/killed/*.ndjson
    destination: sales.killed
    schema: ${ORDERS}
    transform: ${TRANSFORM}
    dedupe: { key: [id], keep: latest, order_by: updated_at }
`;

const on = functionOnStack(RULES);

type Row = { id: string; name: string; amt: string; ts: string };

function store(name: string, rows: Row[]): TestObject {
  const text = rows.map((r) => JSON.stringify(r)).join('\n');
  const stored = on.stack.gcs.store.insert(BUCKET, name, Buffer.from(`${text}\n`), {
    contentType: 'application/x-ndjson',
  });
  return { bucket: BUCKET, name, generation: stored.generation, size: Number(stored.size) };
}

function finalized(object: TestObject) {
  const event = binaryStorageEvent(object);
  return { id: event.headers['ce-id'], ...event };
}

async function rows(table: string): Promise<Record<string, unknown>[]> {
  return on.stack.bigquery.query(
    `SELECT id::INTEGER AS id, customer, amount::VARCHAR AS amount, strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S') AS updated_at FROM sales.${table} ORDER BY id`,
  );
}

/** Query jobs BigQuery received an insert for, by id (409s included). */
function queryInserts(loadJobId: string): number {
  return on.stack.bigquery.requests.filter(
    (r) => r.method === 'POST' && /\/jobs$/.test(r.path) && r.body.includes(`"${loadJobId}_q"`),
  ).length;
}

async function tables(dataset: string): Promise<string[]> {
  const found = await on.stack.bigquery.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = '${dataset}'`,
  );
  return found.map((r) => String(r.table_name));
}

const row = (id: number, name: string, amt: string, ts: string): Row => ({
  id: String(id),
  name,
  amt,
  ts,
});

describe('transform', () => {
  it('casts and renames each file into the destination, records the query, and drops the staging table', async () => {
    const object = store('orders/a.ndjson', [
      row(1, 'ada', '10.50', '02/01/2026 03:04:05'),
      row(2, 'bob', 'n/a', '02/01/2026 04:00:00'),
    ]);
    const line = await deliver(on.fn, finalized(object));
    expect(line).toMatchObject({
      outcome: 'finished',
      state: 'loaded',
      rows: '2',
      destination: 'test-project.sales.orders',
    });
    const loadJobId = String(line.jobId);
    expect(line.queryJobId).toBe(`${loadJobId}_q`);
    expect(await rows('orders')).toEqual([
      { id: 1, customer: 'ADA', amount: '10.500000000', updated_at: '2026-01-02 03:04:05' },
      { id: 2, customer: 'BOB', amount: null, updated_at: '2026-01-02 04:00:00' },
    ]);
    expect(on.stack.gcs.store.get(BUCKET, object.name).metadata).toMatchObject({
      [MARKER_JOB]: loadJobId,
      [MARKER_STATE]: 'loaded',
    });
    expect(await tables('bq_autoloader_staging')).not.toContain(loadJobId);
    // Delivered again: the load is a duplicate and the query is not run again.
    const again = await deliver(on.fn, finalized(object));
    expect(again).toMatchObject({ outcome: 'duplicate', jobId: loadJobId });
    expect((await rows('orders')).length).toBe(2);
    expect(queryInserts(loadJobId)).toBe(1);
  });
});

describe('dedupe', () => {
  it('keeps each key once with its latest value, whatever the order of files and redeliveries', async () => {
    const files = [
      store('latest/1.ndjson', [
        row(1, 'a1', '1', '01/01/2026 00:00:01'),
        row(2, 'b1', '1', '01/01/2026 00:00:01'),
      ]),
      store('latest/2.ndjson', [
        row(2, 'b2', '2', '01/01/2026 00:00:02'),
        row(3, 'c2', '2', '01/01/2026 00:00:02'),
        row(3, 'c2-old', '0', '01/01/2026 00:00:00'),
      ]),
      store('latest/3.ndjson', [
        row(1, 'a3', '3', '01/01/2026 00:00:03'),
        row(3, 'c3-old', '1', '01/01/2026 00:00:01'),
        row(4, 'd3', '3', '01/01/2026 00:00:03'),
      ]),
    ];
    // A random order, each file delivered twice, the redeliveries concurrent with the first.
    const order = [...files].sort(() => Math.random() - 0.5);
    for (const file of order) {
      const lines = await Promise.all([
        deliver(on.fn, finalized(file)),
        deliver(on.fn, finalized(file)),
      ]);
      expect(lines.map((l) => l.state)).toContain('loaded');
    }
    expect(await rows('latest')).toEqual([
      { id: 1, customer: 'A3', amount: '3.000000000', updated_at: '2026-01-01 00:00:03' },
      { id: 2, customer: 'B2', amount: '2.000000000', updated_at: '2026-01-01 00:00:02' },
      { id: 3, customer: 'C2', amount: '2.000000000', updated_at: '2026-01-01 00:00:02' },
      { id: 4, customer: 'D3', amount: '3.000000000', updated_at: '2026-01-01 00:00:03' },
    ]);
    for (const file of files) {
      const jobId = on.stack.gcs.store.get(BUCKET, file.name).metadata?.[MARKER_JOB] as string;
      const query = (await on.stack.bigquery.waitForJob(TEST_PROJECT, `${jobId}_q`)) as unknown as {
        statistics: { query: { statementType: string } };
      };
      expect(query.statistics.query.statementType).toBe('MERGE');
    }
  });
});

describe('a crash between the load and its query', () => {
  it('SIGKILL while the query insert is in flight, then the event again: the query runs once, the rows are right', async () => {
    const object = store('killed/k.ndjson', [
      row(7, 'kim', '7', '01/01/2026 00:00:07'),
      row(7, 'kim-old', '1', '01/01/2026 00:00:01'),
    ]);
    // The load (no wait on this route): submitted, then DONE in the background.
    const submitted = await deliver(on.fn, finalized(object));
    expect(submitted).toMatchObject({ outcome: 'submitted' });
    const loadJobId = String(submitted.jobId);
    await on.stack.bigquery.waitForJob(TEST_PROJECT, loadJobId);

    // Its completion event reaches a function that is killed while the query insert is held.
    const victim = await startFunction(on.env);
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = new Promise<void>((resolve) => {
      on.stack.bigquery.injectFault({
        method: 'POST',
        path: /\/jobs$/,
        hold: released,
        onHold: resolve,
      });
    });
    const uri = `gs://${BUCKET}/${object.name}`;
    const completion = completionEvent(loadJobId, uri, { route: 'killed', location: 'EU' });
    const lost = post(victim.url, completion).catch((e: Error) => e);
    await held;
    await victim.kill('SIGKILL');
    expect(await lost).toMatchObject({ message: 'fetch failed' });
    release();
    on.stack.bigquery.clearFaults();
    expect(on.stack.gcs.store.get(BUCKET, object.name).metadata?.[MARKER_STATE]).toBe('claimed');

    // Redelivered: the query is inserted now (the held insert never reached BigQuery). It
    // runs in the background: this event leaves it running, the query's own event finishes.
    const redelivered = completionEvent(loadJobId, uri, { route: 'killed', location: 'EU' });
    expect(await deliver(on.fn, redelivered)).toMatchObject({ jobId: loadJobId });
    await on.stack.bigquery.waitForJob(TEST_PROJECT, `${loadJobId}_q`);
    const queryDone = completionEvent(`${loadJobId}_q`, uri, { route: 'killed', location: 'EU' });
    const last = await deliver(on.fn, queryDone);
    expect(last).toMatchObject({
      outcome: 'finished',
      state: 'loaded',
      rows: '1',
      jobId: loadJobId,
    });
    expect(await rows('killed')).toEqual([
      { id: 7, customer: 'KIM', amount: '7.000000000', updated_at: '2026-01-01 00:00:07' },
    ]);
    expect(on.stack.gcs.store.get(BUCKET, object.name).metadata?.[MARKER_STATE]).toBe('loaded');
    // Once more: the query exists, nothing runs again.
    expect(
      await deliver(on.fn, completionEvent(loadJobId, uri, { route: 'killed', location: 'EU' })),
    ).toMatchObject({
      state: 'loaded',
    });
    expect((await rows('killed')).length).toBe(1);
    const query = (await on.stack.bigquery.waitForJob(
      TEST_PROJECT,
      `${loadJobId}_q`,
    )) as unknown as {
      statistics: { query: { dmlStats: { insertedRowCount: string } } };
    };
    expect(query.statistics.query.dmlStats.insertedRowCount).toBe('1');
  });
});
