/**
 * Retrying a failed load end to end (docs/outcomes.md: Retrying a failed load): a load that failed in
 * BigQuery (its table did not exist, CREATE_NEVER) is retried by the built CLI once the table
 * exists, as attempt 2 under `<id>_a2`; the rows land once, a second retry changes nothing,
 * and the original event delivered again is a duplicate of the attempt, not a new load.
 */
import type { randomUUID } from 'node:crypto';
import { binaryStorageEvent, deliver, type TestObject } from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { runCli } from '../support/run-cli';

const SCHEMA = '{ fields: [{ name: id, type: INTEGER }, { name: amount, type: INTEGER }] }';
const RULES = `
location: EU
routes:
  - name: orders
    match: gs://retry-b/orders/*.csv
    destination: raw.orders
    load: { skipLeadingRows: 1, createDisposition: CREATE_NEVER }
    schema: ${SCHEMA}
  - name: seed
    match: gs://retry-b/seed/*.csv
    destination: raw.orders
    load: { skipLeadingRows: 1 }
    schema: ${SCHEMA}
`;

let stack: LocalStack;
let fn: FunctionProcess;
let rulesPath: string;

beforeAll(async () => {
  stack = await startLocalStack();
  rulesPath = stack.writeRules(RULES);
  fn = await startFunction({ ...stack.env, AUTOLOADER_CONFIG: rulesPath });
});

afterAll(async () => {
  await fn?.stop();
  await stack?.close();
});

function store(name: string, csv: string): TestObject {
  const stored = stack.gcs.store.insert('retry-b', name, Buffer.from(csv), {
    contentType: 'text/csv',
  });
  return { bucket: 'retry-b', name, generation: stored.generation, size: Number(stored.size) };
}

/** A finalize event with its id beside it, as deliver() wants it. */
function finalized(object: TestObject, id?: string) {
  const event = binaryStorageEvent(object, id as ReturnType<typeof randomUUID> | undefined);
  return { id: event.headers['ce-id'], ...event };
}

function cli(args: string[]) {
  return runCli([...args, '--json'], {
    // An operator's machine has no metadata server: the local one stands in for ADC.
    METADATA_SERVER_DETECTION: 'assume-present',
    ...stack.env,
    AUTOLOADER_CONFIG: rulesPath,
  });
}

async function orderRows(): Promise<number> {
  const rows = await stack.bigquery.query('SELECT count(*)::INTEGER AS n FROM raw.orders');
  return Number(rows[0]?.n);
}

function markerOf(name: string): Record<string, string> | undefined {
  return stack.gcs.store.get('retry-b', name).metadata;
}

describe('bq-autoloader retry', () => {
  it('loads a failed object once as attempt 2, then leaves it alone; the old event is a duplicate', async () => {
    const order = store('orders/a.csv', 'id,amount\n1,10\n2,20\n3,30\n');
    const finalize = finalized(order);
    const first = await deliver(fn, finalize);
    expect(first).toMatchObject({ outcome: 'submitted' });
    const firstJob = String(first.jobId);
    const failed = (await stack.bigquery.waitForJob(TEST_PROJECT, firstJob)) as {
      status: { errorResult?: { reason?: string } };
    };
    expect(failed.status.errorResult?.reason).toBe('notFound');

    // Nothing to retry yet for an object no load claimed; the failed one is retried below.
    store('orders/never.csv', 'id,amount\n9,9\n');
    // The table appears (another route creates it with one row).
    const seed = await deliver(fn, finalized(store('seed/s.csv', 'id,amount\n0,0\n')));
    expect(seed).toMatchObject({ outcome: 'submitted' });
    await stack.bigquery.waitForJob(TEST_PROJECT, String(seed.jobId));

    const retried = await cli([
      'retry',
      'gs://retry-b/orders/a.csv',
      'gs://retry-b/orders/never.csv',
    ]);
    expect(retried.stderr).toBe('');
    expect(retried.code).toBe(0);
    const report = JSON.parse(retried.stdout);
    expect(report).toMatchObject({ submitted: 1, duplicate: 0, unchanged: 1, refused: 0 });
    const attempt = `${firstJob}_a2`;
    expect(report.objects).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          object: 'gs://retry-b/orders/a.csv',
          outcome: 'submitted',
          jobId: attempt,
          attempt: 2,
          previousJobId: firstJob,
        }),
        expect.objectContaining({ object: 'gs://retry-b/orders/never.csv', outcome: 'unchanged' }),
      ]),
    );
    expect(markerOf('orders/a.csv')).toMatchObject({ 'bq-autoloader-job': attempt });
    const job = (await stack.bigquery.waitForJob(TEST_PROJECT, attempt)) as {
      status: { errorResult?: unknown };
    };
    expect(job.status.errorResult).toBeUndefined();
    expect(await orderRows()).toBe(4);

    // Again: the last job succeeded, so nothing is submitted.
    const again = JSON.parse((await cli(['retry', 'gs://retry-b/orders/a.csv'])).stdout);
    expect(again).toMatchObject({ submitted: 0, duplicate: 0, unchanged: 1 });
    expect(again.objects[0].reason).toMatch(/succeeded: nothing to retry/);

    // The original finalize event, redelivered: the attempt exists, nothing loads twice.
    const redelivered = await deliver(fn, finalized(order, `${finalize.id}-again`));
    expect(redelivered).toMatchObject({ outcome: 'duplicate', jobId: attempt });
    expect(await orderRows()).toBe(4);
  });

  it('exits 2 with a usage line for no objects, and 1 when an object is refused', async () => {
    const none = await cli(['retry']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^error: name at least one object, or --prefix\n.*--help/);
    const missing = await cli(['retry', 'gs://retry-b/orders/missing.csv']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).objects[0].reason).toMatch(/does not exist/);
  });
});
