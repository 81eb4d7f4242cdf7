/**
 * Loads from gs:// URIs through the REST metadata URI, checked by querying the warehouse.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { FIXTURES, type Harness, PROJECT, SALES_SCHEMA, startHarness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.putObject('landing', 'sales/2026-01-01.csv', readFileSync(join(FIXTURES, 'sales.csv')));
});
afterEach(() => h.close());

async function load(jobId: string, load: Record<string, unknown>) {
  const res = await h.insertJob(h.loadJob(jobId, load));
  expect(res.status).toBe(200);
  return h.server.waitForJob(PROJECT, jobId);
}

describe('local BigQuery loads', () => {
  it('loads a CSV with a header row skipped and an explicit schema', async () => {
    const job = await load('csv-1', {
      sourceUris: ['gs://landing/sales/2026-01-01.csv'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'sales' },
      sourceFormat: 'CSV',
      skipLeadingRows: 1,
      schema: SALES_SCHEMA,
    });

    expect(job.status).toEqual({ state: 'DONE' });
    expect(job.statistics.load).toEqual({
      inputFiles: '1',
      inputFileBytes: String(readFileSync(join(FIXTURES, 'sales.csv')).length),
      outputRows: '3',
      badRecords: '0',
    });
    expect(await h.server.query('SELECT id, name, amount FROM raw.sales ORDER BY id')).toEqual([
      { id: 1, name: 'apple', amount: 1.5 },
      { id: 2, name: 'banana', amount: 2.25 },
      { id: 3, name: 'cherry', amount: 3 },
    ]);
  });

  it('answers the insert at once with a job that is not yet DONE', async () => {
    const res = await h.insertJob(
      h.loadJob('early', {
        sourceUris: ['gs://landing/sales/*'],
        destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'sales' },
        autodetect: true,
      }),
    );
    const body = (await res.json()) as { status: { state: string } };

    expect(['PENDING', 'RUNNING']).toContain(body.status.state);
    expect((await h.server.waitForJob(PROJECT, 'early')).status.state).toBe('DONE');
  });

  it('loads NEWLINE_DELIMITED_JSON by field name', async () => {
    h.putObject('landing', 'events/a.ndjson', readFileSync(join(FIXTURES, 'events.ndjson')));
    const job = await load('json-1', {
      sourceUris: ['gs://landing/events/*.ndjson'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'events' },
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
      schema: {
        fields: [
          { name: 'event', type: 'STRING' },
          { name: 'id', type: 'INTEGER' },
          { name: 'at', type: 'TIMESTAMP' },
        ],
      },
    });

    expect(job.status.errorResult).toBeUndefined();
    expect(await h.server.query('SELECT id, event FROM raw.events ORDER BY id')).toEqual([
      { id: 1, event: 'click' },
      { id: 2, event: 'view' },
    ]);
  });

  it('refuses unknown JSON fields unless ignoreUnknownValues is set', async () => {
    h.putObject('landing', 'e.ndjson', '{"id":1,"extra":true}\n');
    const base = {
      sourceUris: ['gs://landing/e.ndjson'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'e' },
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
      schema: { fields: [{ name: 'id', type: 'INTEGER' }] },
    };

    const strict = await load('strict', base);
    const lenient = await load('lenient', { ...base, ignoreUnknownValues: true });

    expect(strict.status.errorResult?.reason).toBe('invalid');
    expect(strict.status.errors?.some((e) => e.message.includes('No such field: extra'))).toBe(
      true,
    );
    expect(lenient.status.errorResult).toBeUndefined();
    expect(await h.server.query('SELECT count(*) AS n FROM raw.e')).toEqual([{ n: 1 }]);
  });

  it.each([
    ['a .gz suffix', 'sales.csv.gz'],
    ['only the gzip magic bytes', 'sales-compressed.csv'],
  ])('loads a gzip CSV recognized by %s', async (_how, name) => {
    h.putObject('landing', name, gzipSync(readFileSync(join(FIXTURES, 'sales.csv'))));
    const job = await load('gz', {
      sourceUris: [`gs://landing/${name}`],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'sales' },
      skipLeadingRows: 1,
      schema: SALES_SCHEMA,
    });

    expect(job.status.errorResult).toBeUndefined();
    expect(await h.server.query('SELECT sum(amount) AS total FROM raw.sales')).toEqual([
      { total: 6.75 },
    ]);
  });

  it('loads Parquet with the schema the file carries', async () => {
    const path = join(h.bucketsDir, 'landing', 'p.parquet');
    // A DuckDB of the test's own: the server's has no file access outside its staging folder.
    const writer = await (await DuckDBInstance.create(':memory:')).connect();
    await writer.run(
      `COPY (SELECT range::BIGINT AS n, 'row ' || range AS label FROM range(5)) TO '${path}' (FORMAT parquet)`,
    );
    writer.closeSync();
    const job = await load('pq', {
      sourceUris: ['gs://landing/p.parquet'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'numbers' },
      sourceFormat: 'PARQUET',
    });

    expect(job.statistics.load?.outputRows).toBe('5');
    expect(await h.server.query('SELECT n, label FROM raw.numbers WHERE n = 4')).toEqual([
      { n: 4, label: 'row 4' },
    ]);
  });

  it('autodetects a CSV schema and header', async () => {
    const job = await load('auto', {
      sourceUris: ['gs://landing/sales/2026-01-01.csv'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'auto' },
      autodetect: true,
    });

    expect(job.statistics.load?.outputRows).toBe('3');
    expect(await h.server.query('SELECT name FROM raw.auto WHERE id = 3')).toEqual([
      { name: 'cherry' },
    ]);
  });

  it('fails a malformed CSV beyond maxBadRecords with errorResult and writes no rows', async () => {
    h.putObject('landing', 'bad.csv', readFileSync(join(FIXTURES, 'malformed.csv')));
    const job = await load('bad', {
      sourceUris: ['gs://landing/bad.csv'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'sales' },
      skipLeadingRows: 1,
      schema: SALES_SCHEMA,
    });

    expect(job.status.state).toBe('DONE');
    expect(job.status.errorResult?.reason).toBe('invalid');
    expect(job.status.errors?.some((e) => e.message.includes('line_number: 3'))).toBe(true);
    // The job's table creation was rolled back too.
    expect(
      await h.server.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'sales'"),
    ).toEqual([{ n: 0 }]);
  });

  it('accepts bad records within maxBadRecords and counts them', async () => {
    h.putObject('landing', 'bad.csv', readFileSync(join(FIXTURES, 'malformed.csv')));
    const job = await load('bad-ok', {
      sourceUris: ['gs://landing/bad.csv'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'sales' },
      skipLeadingRows: 1,
      maxBadRecords: 1,
      schema: SALES_SCHEMA,
    });

    expect(job.status.errorResult).toBeUndefined();
    expect(job.statistics.load).toMatchObject({ outputRows: '2', badRecords: '1' });
  });

  it.each([
    [1, undefined, '2', '1'],
    [0, 'invalid', undefined, undefined],
  ])('counts a malformed JSON line against maxBadRecords %s', async (max, reason, rows, bad) => {
    h.putObject('landing', 'mixed.ndjson', '{"id":1}\nnot json\n{"id":2}\n');
    const job = await load(`json-bad-${max}`, {
      sourceUris: ['gs://landing/mixed.ndjson'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'mixed' },
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
      maxBadRecords: max,
      schema: { fields: [{ name: 'id', type: 'INTEGER' }] },
    });

    expect(job.status.errorResult?.reason).toBe(reason);
    expect(job.statistics.load?.outputRows).toBe(rows ?? '0');
    expect(job.statistics.load?.badRecords).toBe(bad ?? '0');
  });

  it('fails a batch with one malformed file naming that file (location, File:), writing nothing', async () => {
    for (const n of [1, 2, 3]) h.putObject('landing', `feed/good-${n}.ndjson`, `{"id":${n}}\n`);
    h.putObject('landing', 'feed/bad.ndjson', '{"id":9}\nnot json\n');
    const bad = 'gs://landing/feed/bad.ndjson';
    const job = await load('batch-one-bad', {
      sourceUris: ['good-1', 'bad', 'good-2', 'good-3'].map((n) => `gs://landing/feed/${n}.ndjson`),
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'feed' },
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
      schema: { fields: [{ name: 'id', type: 'INTEGER' }] },
    });

    expect(job.status.errorResult).toMatchObject({ reason: 'invalid', location: bad });
    expect(job.status.errors?.[0]).toMatchObject({ location: bad });
    expect(job.status.errors?.slice(1)).toEqual([
      expect.objectContaining({
        location: bad,
        message: expect.stringMatching(/File: gs:\/\/landing\/feed\/bad\.ndjson$/),
      }),
    ]);
    expect(
      await h.server.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'feed'"),
    ).toEqual([{ n: 0 }]);
  });

  it('answers 409 duplicate for a repeated job id and loads no extra rows', async () => {
    const job = h.loadJob('once', {
      sourceUris: ['gs://landing/sales/2026-01-01.csv'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'sales' },
      skipLeadingRows: 1,
      schema: SALES_SCHEMA,
    });
    expect((await h.insertJob(job)).status).toBe(200);

    const again = await h.insertJob(job);
    await h.server.waitForJob(PROJECT, 'once');

    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      error: { code: 409, errors: [{ reason: 'duplicate', domain: 'global' }] },
    });
    expect(await h.server.query('SELECT count(*) AS n FROM raw.sales')).toEqual([{ n: 3 }]);
  });

  it('replaces only the named partition on WRITE_TRUNCATE with a decorator', async () => {
    const into = (jobId: string, tableId: string, writeDisposition: string) =>
      load(jobId, {
        sourceUris: ['gs://landing/sales/2026-01-01.csv'],
        destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId },
        skipLeadingRows: 1,
        schema: SALES_SCHEMA,
        writeDisposition,
      });
    await into('d1', 'sales$20260101', 'WRITE_APPEND');
    await into('d2', 'sales$20260102', 'WRITE_APPEND');
    await into('d3', 'sales$20260102', 'WRITE_APPEND');

    const truncated = await into('d4', 'sales$20260102', 'WRITE_TRUNCATE');

    expect(truncated.status.errorResult).toBeUndefined();
    expect(
      await h.server.query(
        "SELECT strftime(_PARTITIONTIME, '%Y%m%d') AS day, count(*) AS n FROM raw.sales GROUP BY day ORDER BY day",
      ),
    ).toEqual([
      { day: '20260101', n: 3 },
      { day: '20260102', n: 3 },
    ]);
  });

  it('puts rows loaded without a decorator into the partition of the load time', async () => {
    const before = new Date();
    const job = await load('today', {
      sourceUris: ['gs://landing/sales/2026-01-01.csv'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'daily' },
      skipLeadingRows: 1,
      schema: SALES_SCHEMA,
      timePartitioning: { type: 'DAY' },
    });
    const after = new Date();

    expect(job.status.errorResult).toBeUndefined();
    const [row] = await h.server.query(
      "SELECT strftime(_PARTITIONTIME, '%Y-%m-%d') AS day, count(*) AS n FROM raw.daily GROUP BY day",
    );
    const days = [before, after].map((d) => d.toISOString().slice(0, 10));
    expect(days).toContain(row?.day);
    expect(row?.n).toBe(3);
  });

  it('refuses a decorator on a table that is not partitioned', async () => {
    const base = {
      sourceUris: ['gs://landing/sales/2026-01-01.csv'],
      skipLeadingRows: 1,
      schema: SALES_SCHEMA,
    };
    await load('plain', {
      ...base,
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'plain' },
    });

    const job = await load('decorated', {
      ...base,
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'plain$20260101' },
    });

    expect(job.status.errorResult?.message).toContain('not partitioned');
  });

  it('fails WRITE_EMPTY on a table with rows with Already Exists', async () => {
    const body = {
      sourceUris: ['gs://landing/sales/2026-01-01.csv'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'sales' },
      skipLeadingRows: 1,
      schema: SALES_SCHEMA,
      writeDisposition: 'WRITE_EMPTY',
    };
    await load('e1', body);

    const second = await load('e2', body);

    expect(second.status.errorResult).toEqual({
      reason: 'duplicate',
      message: `Already Exists: Table ${PROJECT}:raw.sales`,
    });
  });

  it.each([
    ['a missing table with CREATE_NEVER', { createDisposition: 'CREATE_NEVER' }, 'notFound'],
    ['a URI matching nothing', { sourceUris: ['gs://landing/nothing*'] }, 'notFound'],
  ])('ends the job DONE with an errorResult for %s', async (_case, override, reason) => {
    const job = await load('fail', {
      sourceUris: ['gs://landing/sales/2026-01-01.csv'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'sales' },
      schema: SALES_SCHEMA,
      ...override,
    });

    expect(job.status.state).toBe('DONE');
    expect(job.status.errorResult?.reason).toBe(reason);
  });

  it.each([
    ['AVRO', { sourceFormat: 'AVRO' }],
    ['hive partitioning', { hivePartitioningOptions: { mode: 'AUTO' } }],
    ['UTF-16 encoding', { encoding: 'UTF-16BE' }],
  ])('refuses %s with 400 invalid saying it is not supported locally', async (_what, extra) => {
    const res = await h.insertJob(
      h.loadJob('refused', {
        sourceUris: ['gs://landing/x'],
        destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 't' },
        ...extra,
      }),
    );

    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; errors: { reason: string }[] } };
    expect(body.error.errors[0]?.reason).toBe('invalid');
    expect(body.error.message).toContain('not supported by the local BigQuery server');
  });
});
