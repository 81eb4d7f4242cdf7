/**
 * Query jobs through jobs.insert: GoogleSQL translated to DuckDB, DML statistics, exactly-once
 * job ids, failures that change nothing, dry runs, SELECT into a destination table.
 */
import type { Job } from '../../../dev/bigquery/server';
import { callApi, type Harness, PROJECT, queryJobBody, startHarness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.putObject(
    'landing',
    'raw.csv',
    'id,amt,ts,doc\n1,12.5,2026-01-02 03:04:05,"{""a"":{""b"":""x""}}"\n2,oops,2026-01-03 00:00:00.25,"{""a"":{""b"":""y""}}"\n',
  );
});
afterEach(() => h.close());

async function loadStaging(tableId: string, uri = 'gs://landing/raw.csv') {
  const res = await h.insertJob(
    h.loadJob(`load_${tableId}`, {
      sourceUris: [uri],
      destinationTable: { projectId: PROJECT, datasetId: 'stg', tableId },
      skipLeadingRows: 1,
      schema: {
        fields: ['id', 'amt', 'ts', 'doc'].map((name) => ({ name, type: 'STRING' })),
      },
    }),
  );
  expect(res.status).toBe(200);
  expect(
    (await h.server.waitForJob(PROJECT, `load_${tableId}`)).status.errorResult,
  ).toBeUndefined();
}

async function createOrders() {
  const created = await callApi(h.server, 'POST', '/datasets/sales/tables', {
    tableReference: { projectId: PROJECT, datasetId: 'sales', tableId: 'orders' },
    schema: {
      fields: [
        { name: 'id', type: 'INT64', mode: 'REQUIRED' },
        { name: 'amount', type: 'NUMERIC' },
        { name: 'updated_at', type: 'TIMESTAMP' },
        { name: 'label', type: 'STRING' },
        { name: 'loaded_at', type: 'TIMESTAMP' },
      ],
    },
  });
  expect(created.status).toBe(200);
}

async function runQuery(jobId: string, sql: string, query: Record<string, unknown> = {}) {
  const res = await h.insertJob(queryJobBody(jobId, sql, query));
  expect(res.status).toBe(200);
  return h.server.waitForJob(PROJECT, jobId);
}

const ORDERS = `SELECT id, CAST(amount AS VARCHAR) AS amount, strftime(updated_at, '%Y-%m-%d %H:%M:%S.%g') AS updated_at, label, CAST(loaded_at AS VARCHAR) AS loaded_at FROM sales.orders ORDER BY id`;

describe('INSERT … SELECT', () => {
  it('inserts the translated rows and reports dmlStats', async () => {
    await loadStaging('bqal_r_1');
    await createOrders();
    const job = await runQuery(
      'ins_q',
      `INSERT INTO \`${PROJECT}.sales.orders\` (\`id\`, \`amount\`, \`updated_at\`, \`label\`, \`loaded_at\`)
       SELECT \`id\`, \`amount\`, \`updated_at\`, \`label\`, \`loaded_at\` FROM (
         SELECT CAST(\`id\` AS INT64) AS \`id\`, SAFE_CAST(\`amt\` AS NUMERIC) AS \`amount\`,
           PARSE_TIMESTAMP('%Y-%m-%d %H:%M:%E*S', \`ts\`) AS \`updated_at\`,
           UPPER(JSON_VALUE(\`doc\`, '$.a.b')) AS \`label\`, CURRENT_TIMESTAMP() AS \`loaded_at\`
         FROM \`${PROJECT}.stg.bqal_r_1\`)`,
    );

    expect(job.status).toEqual({ state: 'DONE' });
    expect(job.configuration).toMatchObject({ jobType: 'QUERY', query: { useLegacySql: false } });
    expect(job.statistics.query).toEqual({
      statementType: 'INSERT',
      totalBytesProcessed: '0',
      numDmlAffectedRows: '2',
      dmlStats: { insertedRowCount: '2', updatedRowCount: '0', deletedRowCount: '0' },
    });
    const loadedAt = `${new Date(Number(job.statistics.startTime)).toISOString().replace('T', ' ').replace('Z', '')}`;
    expect(await h.server.query(ORDERS)).toEqual([
      {
        id: 1,
        amount: '12.500000000',
        updated_at: '2026-01-02 03:04:05.000',
        label: 'X',
        loaded_at: `${loadedAt}+00`,
      },
      {
        id: 2,
        amount: null,
        updated_at: '2026-01-03 00:00:00.250',
        label: 'Y',
        loaded_at: `${loadedAt}+00`,
      },
    ]);
  });

  it('refuses a column whose type GoogleSQL would not insert, and inserts nothing', async () => {
    await loadStaging('bqal_r_1');
    await createOrders();

    const job = await runQuery(
      'typed_q',
      'INSERT INTO `sales.orders` (`id`, `label`) SELECT CAST(`id` AS INT64), CAST(`id` AS INT64) FROM `stg.bqal_r_1`',
    );

    expect(job.status.errorResult).toEqual({
      reason: 'invalidQuery',
      message:
        'Query column 2 has type INT64 which cannot be inserted into column label, which has type STRING',
    });
    expect(await h.server.query('SELECT count(*) AS n FROM sales.orders')).toEqual([{ n: 0 }]);
  });
});

describe('exactly once', () => {
  it('answers 409 for a used query job id and runs the statement once', async () => {
    await createOrders();
    const sql = 'INSERT `sales.orders` (`id`) SELECT 7';
    const first = await h.insertJob(queryJobBody('once_q', sql));
    const again = await h.insertJob(queryJobBody('once_q', sql));
    await h.server.waitForJob(PROJECT, 'once_q');
    const afterDone = await h.insertJob(queryJobBody('once_q', sql));

    expect([first.status, again.status, afterDone.status]).toEqual([200, 409, 409]);
    expect(await again.json()).toMatchObject({ error: { errors: [{ reason: 'duplicate' }] } });
    expect(await h.server.query('SELECT count(*) AS n FROM sales.orders')).toEqual([{ n: 1 }]);
  });

  it('fails a query at run time as DONE with errorResult, changing no row', async () => {
    await createOrders();
    await runQuery(
      'seed_q',
      'INSERT `sales.orders` (`id`, `label`) VALUES (1, "2026"), (2, "kept")',
    );

    // Row 1 parses, row 2 does not: the statement fails and row 1 keeps its label too.
    const job = await runQuery(
      'bad_q',
      "UPDATE `sales.orders` SET `label` = CAST(PARSE_TIMESTAMP('%Y', `label`) AS STRING) WHERE `id` > 0",
    );

    expect(job.status.state).toBe('DONE');
    expect(job.status.errorResult?.reason).toBe('invalidQuery');
    expect(job.status.errorResult?.message).toMatch(/Could not parse string "kept"/);
    expect(job.status.errors?.[0]).toEqual(job.status.errorResult);
    expect(job.statistics.query).toBeUndefined();
    expect(await h.server.query('SELECT label FROM sales.orders ORDER BY id')).toEqual([
      { label: '2026' },
      { label: 'kept' },
    ]);
  });

  it('fails a query naming a missing table with notFound', async () => {
    const job = await runQuery('missing_q', 'SELECT * FROM `other-project.sales.nope`');
    await createOrders();
    const table = await runQuery('missing_t', 'SELECT * FROM `sales.nope`');

    expect(job.status.errorResult).toEqual({
      reason: 'notFound',
      message: 'Not found: Dataset other-project:sales was not found in location US',
    });
    expect(table.status.errorResult).toEqual({
      reason: 'notFound',
      message: `Not found: Table ${PROJECT}:sales.nope was not found in location US`,
    });
  });
});

describe('insert-time refusals', () => {
  it.each([
    [
      'writeDisposition',
      { writeDisposition: 'WRITE_APPEND' },
      'Cannot set write disposition in jobs with DML statements',
    ],
    [
      'createDisposition',
      { createDisposition: 'CREATE_NEVER' },
      'Cannot set create disposition in jobs with DML statements',
    ],
  ])('answers 400 invalid for DML with %s', async (_name, extra, message) => {
    const res = await h.insertJob(queryJobBody('dml_disp', 'DELETE `a.b` WHERE TRUE', extra));

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { errors: [{ reason: 'invalid', message }] } });
  });

  it('refuses a job that does not set useLegacySql false (jobs.insert defaults to legacy SQL)', async () => {
    const res = await h.insertJob(queryJobBody('legacy', 'SELECT 1', { useLegacySql: undefined }));

    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/Legacy SQL/);
  });
});

describe('dry runs', () => {
  it('answers the result schema without storing the job or reserving its id', async () => {
    await loadStaging('bqal_r_1');
    const sql =
      'SELECT CAST(`id` AS INT64) AS i, SAFE_CAST(`amt` AS FLOAT64) AS f, PARSE_JSON(`doc`) AS j, `ts` AS s, CURRENT_TIMESTAMP AS t, CAST(`id` AS NUMERIC) AS n, `id` = "1" AS b FROM `stg.bqal_r_1`';

    const dry = await callApi(
      h.server,
      'POST',
      '/jobs',
      queryJobBody('dry', sql, {}, { dryRun: true }),
    );
    const real = await h.insertJob(queryJobBody('dry', sql));

    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      status: { state: 'DONE' },
      statistics: {
        query: {
          statementType: 'SELECT',
          schema: {
            fields: [
              { name: 'i', type: 'INT64', mode: 'NULLABLE' },
              { name: 'f', type: 'FLOAT64', mode: 'NULLABLE' },
              { name: 'j', type: 'JSON', mode: 'NULLABLE' },
              { name: 's', type: 'STRING', mode: 'NULLABLE' },
              { name: 't', type: 'TIMESTAMP', mode: 'NULLABLE' },
              { name: 'n', type: 'NUMERIC', mode: 'NULLABLE' },
              { name: 'b', type: 'BOOL', mode: 'NULLABLE' },
            ],
          },
        },
      },
    });
    expect(real.status).toBe(200);
  });

  it('answers 400 invalidQuery for a query that cannot run', async () => {
    await loadStaging('bqal_r_1');
    const dry = await callApi(
      h.server,
      'POST',
      '/jobs',
      queryJobBody('dry_bad', 'SELECT nope FROM `stg.bqal_r_1`', {}, { dryRun: true }),
    );
    const refused = await callApi(
      h.server,
      'POST',
      '/jobs',
      queryJobBody('dry_q', 'SELECT 1 QUALIFY TRUE', {}, { dryRun: true }),
    );

    expect(dry).toMatchObject({
      status: 400,
      body: { error: { errors: [{ reason: 'invalidQuery' }] } },
    });
    expect(refused).toMatchObject({
      status: 400,
      body: {
        error: {
          message:
            "QUALIFY is not supported by the local BigQuery server (bq-autoloader's local stack)",
        },
      },
    });
  });
});

describe('SELECT into a destination table', () => {
  const destination = { projectId: PROJECT, datasetId: 'out', tableId: 'copy' };

  it('creates, refuses WRITE_EMPTY on rows, appends and truncates', async () => {
    const created = await runQuery('sel_1', 'SELECT 1 AS n', { destinationTable: destination });
    const empty = await runQuery('sel_2', 'SELECT 2 AS n', { destinationTable: destination });
    const appended = await runQuery('sel_3', 'SELECT 3 AS n', {
      destinationTable: destination,
      writeDisposition: 'WRITE_APPEND',
    });
    const rows = await h.server.query('SELECT n FROM out.copy ORDER BY n');
    const truncated = await runQuery('sel_4', 'SELECT 4 AS n', {
      destinationTable: destination,
      writeDisposition: 'WRITE_TRUNCATE',
    });

    expect(created.statistics.query?.statementType).toBe('SELECT');
    expect(empty.status.errorResult).toEqual({
      reason: 'duplicate',
      message: `Already Exists: Table ${PROJECT}:out.copy`,
    });
    expect(appended.status.errorResult).toBeUndefined();
    expect(rows).toEqual([{ n: 1 }, { n: 3 }]);
    expect(truncated.status.errorResult).toBeUndefined();
    expect(await h.server.query('SELECT n FROM out.copy')).toEqual([{ n: 4 }]);
  });

  it('appends a new column only with ALLOW_FIELD_ADDITION', async () => {
    await runQuery('add_1', 'SELECT 1 AS n', { destinationTable: destination });
    const refused = await runQuery('add_2', "SELECT 2 AS n, 'x' AS extra", {
      destinationTable: destination,
      writeDisposition: 'WRITE_APPEND',
    });
    const added = await runQuery('add_3', "SELECT 3 AS n, 'y' AS extra", {
      destinationTable: destination,
      writeDisposition: 'WRITE_APPEND',
      schemaUpdateOptions: ['ALLOW_FIELD_ADDITION'],
    });

    expect(refused.status.errorResult?.message).toBe(
      `Provided Schema does not match Table ${PROJECT}:out.copy. Cannot add fields (field: extra)`,
    );
    expect(added.status.errorResult).toBeUndefined();
    expect(await h.server.query('SELECT n, extra FROM out.copy ORDER BY n')).toEqual([
      { n: 1, extra: null },
      { n: 3, extra: 'y' },
    ]);
  });

  it('fails with CREATE_NEVER when the table is missing', async () => {
    const job: Job = await runQuery('never', 'SELECT 1 AS n', {
      destinationTable: destination,
      createDisposition: 'CREATE_NEVER',
    });

    expect(job.status.errorResult?.reason).toBe('notFound');
  });
});
