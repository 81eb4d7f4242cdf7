/**
 * Issue 3 end to end: files dropped into the local buckets folder become finalize events
 * (the watcher), the function routes them with the shipped example rules, and the DuckDB
 * BigQuery server really loads the rows — counted here, exactly once.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startWatcher } from '../../dev/watcher';
import { binaryStorageEvent, post } from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack } from '../support/local-stack';

const EXAMPLES = resolve(__dirname, '../../examples');

/** The shipped example rules, plus two routes for the cases the example does not cover. */
const EXTRA_ROUTES = `
  - name: daily
    match: gs://landing/daily/{yyyy}{mm}{dd}.csv
    destination: raw.daily\${yyyy}{mm}{dd}
    schema: { fields: [{ name: id, type: INT64 }, { name: label, type: STRING }] }
    load: { skipLeadingRows: 1, writeDisposition: WRITE_TRUNCATE, timePartitioning: { type: DAY } }
  - name: strict
    match: gs://landing/strict/*.csv
    destination: raw.strict
    schema: { fields: [{ name: id, type: INT64 }, { name: amount, type: NUMERIC }] }
    load: { skipLeadingRows: 1 }
`;

let stack: LocalStack;
let fn: FunctionProcess;
let watcher: Awaited<ReturnType<typeof startWatcher>>;

beforeAll(async () => {
  stack = await startLocalStack();
  cpSync(join(EXAMPLES, 'schemas'), join(stack.rootDir, 'schemas'), { recursive: true });
  const rules = readFileSync(join(EXAMPLES, 'autoloader.yaml'), 'utf8') + EXTRA_ROUTES;
  fn = await startFunction({ ...stack.env, AUTOLOADER_CONFIG: stack.writeRules(rules) });
  watcher = await startWatcher({
    rootDir: stack.rootDir,
    store: stack.gcs.store,
    functionUrl: fn.url,
    stabilityMs: 150,
  });
});

afterAll(async () => {
  await watcher?.close();
  await fn?.stop();
  await stack?.close();
});

/** Drops a file as a user would, then waits for its outcome line and, if loaded, its job. */
async function drop(name: string, contents: Buffer | string) {
  const path = join(stack.rootDir, 'buckets', 'landing', name);
  mkdirSync(dirname(path), { recursive: true });
  const before = fn.logs.filter((l) => l.object === `gs://landing/${name}` && l.outcome).length;
  writeFileSync(path, contents);
  const line = await fn.waitForLog(
    () => fn.logs.filter((l) => l.object === `gs://landing/${name}` && l.outcome).length > before,
  );
  const outcome = fn.logs.filter((l) => l.object === `gs://landing/${name}` && l.outcome).at(-1);
  expect(line).toBeDefined();
  if (outcome?.outcome === 'submitted' || outcome?.outcome === 'duplicate') {
    const job = await stack.bigquery.waitForJob('local-project', String(outcome.jobId));
    return { outcome, job };
  }
  return { outcome, job: undefined };
}

async function count(table: string): Promise<number> {
  const [row] = await stack.bigquery.query(`SELECT count(*) AS n FROM ${table}`);
  return Number(row?.n);
}

describe('the example data', () => {
  it('loads every sample file of examples/buckets into rows', async () => {
    const samples = [
      'sales/eu/2026-11-01.csv',
      'sales/us/2026-11-01.csv',
      'events/2026-11-01.ndjson.gz',
      'products/catalog.parquet',
    ];
    for (const name of samples) {
      const { outcome, job } = await drop(
        name,
        readFileSync(join(EXAMPLES, 'buckets/landing', name)),
      );
      expect(outcome?.outcome).toBe('submitted');
      expect(job).toMatchObject({ status: { state: 'DONE' } });
      expect((job as { status: { errorResult?: unknown } }).status.errorResult).toBeUndefined();
    }
    expect(await count('raw.sales_eu')).toBe(3);
    expect(await count('raw.sales_us')).toBe(2);
    expect(await count('raw.events')).toBe(4);
    expect(await count('raw.products')).toBe(3);
    const [eu] = await stack.bigquery.query(
      "SELECT sum(quantity) AS q, max(order_id) AS last FROM raw.sales_eu WHERE sku = 'SKU-RED'",
    );
    expect(eu).toMatchObject({ q: 7, last: 'EU-1003' });
    const [purchases] = await stack.bigquery.query(
      "SELECT count(*) AS n FROM raw.events WHERE event = 'purchase'",
    );
    expect(Number(purchases?.n)).toBe(1);
  });
});

describe('the example transform and dedupe', () => {
  it('casts, renames and keeps one row per id, the newest, from both customer files', async () => {
    for (const name of ['customers/2026-11-02.ndjson', 'customers/2026-11-01.ndjson']) {
      const { outcome } = await drop(name, readFileSync(join(EXAMPLES, 'buckets/landing', name)));
      expect(outcome).toMatchObject({
        outcome: 'finished',
        state: 'loaded',
        destination: 'local-project.raw.customers',
      });
    }
    const rows = await stack.bigquery.query(
      "SELECT id::INTEGER AS id, name, country, strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M') AS updated FROM raw.customers ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 1, name: 'ada', country: 'FR', updated: '2026-11-01 09:00' },
      { id: 2, name: 'bob', country: 'AT', updated: '2026-11-02 10:30' },
      { id: 3, name: 'chloé', country: 'FR', updated: '2026-11-01 09:00' },
      { id: 4, name: 'dan', country: 'ES', updated: '2026-11-02 10:30' },
    ]);
  });
});

describe('exactly once, counted in rows', () => {
  it('the same finalize event delivered 10 times at once loads its rows once', async () => {
    // Ten first deliveries racing each other (and the watcher's own event for the file).
    const name = 'events/redelivered.ndjson.gz';
    const stored = stack.gcs.store.insert(
      'landing',
      name,
      gzipSync('{"event":"x","user":"r1"}\n{"event":"y","user":"r2"}\n'),
      { contentType: 'application/gzip' },
    );
    const event = binaryStorageEvent({
      bucket: 'landing',
      name,
      generation: stored.generation,
      size: Number(stored.size),
      contentType: 'application/gzip',
    });
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(fn.url, event)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(204));
    const lines = () => fn.logs.filter((l) => l.object === `gs://landing/${name}` && l.outcome);
    await fn.waitForLog(() => lines().length >= 10);
    const jobId = String(lines()[0]?.jobId);
    await stack.bigquery.waitForJob('local-project', jobId);
    // The watcher's event for the same generation may still be on its way.
    await fn.waitForLog(() => lines().length === 11);
    expect(lines().filter((l) => l.outcome === 'submitted')).toHaveLength(1);
    expect(new Set(lines().map((l) => l.jobId))).toEqual(new Set([jobId]));
    const [row] = await stack.bigquery.query(
      "SELECT count(*) AS n FROM raw.events WHERE user IN ('r1', 'r2')",
    );
    expect(Number(row?.n)).toBe(2);
  });

  it('an overwrite is a new generation and is loaded again', async () => {
    const name = 'events/overwritten.ndjson.gz';
    const first = await drop(name, gzipSync('{"event":"o","user":"w1"}\n'));
    const second = await drop(
      name,
      gzipSync('{"event":"o","user":"w1"}\n{"event":"o","user":"w2"}\n'),
    );
    expect(second.outcome?.outcome).toBe('submitted');
    expect(second.outcome?.jobId).not.toBe(first.outcome?.jobId);
    const [row] = await stack.bigquery.query(
      "SELECT count(*) AS n FROM raw.events WHERE user IN ('w1', 'w2')",
    );
    expect(Number(row?.n)).toBe(3);
  });
});

describe('write dispositions and failures', () => {
  it('WRITE_TRUNCATE to a partition decorator replaces that partition only', async () => {
    await drop('daily/20261101.csv', 'id,label\n1,a\n2,b\n');
    await drop('daily/20261102.csv', 'id,label\n3,c\n4,d\n5,e\n');
    expect(await count('raw.daily')).toBe(5);
    const { job } = await drop('daily/20261101.csv', 'id,label\n9,z\n');
    expect(job).toMatchObject({ status: { state: 'DONE' } });
    expect(await count('raw.daily')).toBe(4);
    const ids = await stack.bigquery.query('SELECT id FROM raw.daily ORDER BY id');
    expect(ids.map((r) => Number(r.id))).toEqual([3, 4, 5, 9]);
  });

  it('a malformed CSV ends DONE with an errorResult and loads no rows', async () => {
    await drop('strict/good.csv', 'id,amount\n1,2.50\n');
    const { outcome, job } = await drop(
      'strict/bad.csv',
      'id,amount\n2,3.00\nthree,not-a-number\n',
    );
    expect(outcome?.outcome).toBe('submitted');
    expect(job).toMatchObject({
      status: { state: 'DONE', errorResult: { reason: 'invalid' } },
    });
    const ids = await stack.bigquery.query('SELECT id FROM raw.strict');
    expect(ids.map((r) => Number(r.id))).toEqual([1]);
  });
});
