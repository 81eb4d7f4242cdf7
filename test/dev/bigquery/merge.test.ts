/**
 * The statements the loader sends for transforms and dedupe, end to end: the keep-latest
 * MERGE over overlapping keys in any order, the append INSERT … SELECT and the rescue INSERT
 * with JSON_OBJECT.
 */
import { callApi, type Harness, PROJECT, queryJobBody, startHarness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

async function stage(tableId: string, csv: string, columns: string[]) {
  h.putObject('landing', `${tableId}.csv`, csv);
  const res = await h.insertJob(
    h.loadJob(`load_${tableId}`, {
      sourceUris: [`gs://landing/${tableId}.csv`],
      destinationTable: { projectId: PROJECT, datasetId: 'bq_autoloader_staging', tableId },
      skipLeadingRows: 1,
      schema: { fields: columns.map((name) => ({ name, type: 'STRING' })) },
    }),
  );
  expect(res.status).toBe(200);
  expect(
    (await h.server.waitForJob(PROJECT, `load_${tableId}`)).status.errorResult,
  ).toBeUndefined();
}

async function createTable(
  tableId: string,
  fields: { name: string; type: string; mode?: string }[],
) {
  const res = await callApi(h.server, 'POST', '/datasets/sales/tables', {
    tableReference: { projectId: PROJECT, datasetId: 'sales', tableId },
    schema: { fields },
  });
  expect(res.status).toBe(200);
}

async function runQuery(jobId: string, sql: string) {
  expect((await h.insertJob(queryJobBody(jobId, sql))).status).toBe(200);
  return h.server.waitForJob(PROJECT, jobId);
}

/** The loader's keep-latest MERGE, as it writes it. */
function keepLatestMerge(staging: string): string {
  return `MERGE \`proj.sales.orders\` AS T
USING (
  SELECT \`id\`, \`amount\`, \`updated_at\` FROM (
    SELECT \`id\`, \`amount\`, \`updated_at\`, ROW_NUMBER() OVER (PARTITION BY \`id\` ORDER BY \`updated_at\` DESC) AS \`_bqal_row\`
    FROM (SELECT CAST(\`id\` AS INT64) AS \`id\`, SAFE_CAST(\`amt\` AS NUMERIC) AS \`amount\`, PARSE_TIMESTAMP('%Y-%m-%d %H:%M:%S', \`ts\`) AS \`updated_at\` FROM \`proj.bq_autoloader_staging.${staging}\`)
  )
  WHERE \`_bqal_row\` = 1
) AS S
ON T.\`id\` = S.\`id\`
WHEN MATCHED AND S.\`updated_at\` > T.\`updated_at\` THEN UPDATE SET \`id\` = S.\`id\`, \`amount\` = S.\`amount\`, \`updated_at\` = S.\`updated_at\`
WHEN NOT MATCHED THEN INSERT (\`id\`, \`amount\`, \`updated_at\`) VALUES (S.\`id\`, S.\`amount\`, S.\`updated_at\`)`;
}

const ORDERS_FIELDS = [
  { name: 'id', type: 'INT64', mode: 'REQUIRED' },
  { name: 'amount', type: 'NUMERIC' },
  { name: 'updated_at', type: 'TIMESTAMP' },
];

/** Three files with overlapping keys; A holds key 1 twice (the older copy must lose). */
const FILES: Record<string, string> = {
  A: 'id,amt,ts\n1,11,2026-01-02 00:00:00\n1,99,2026-01-01 12:00:00\n2,20,2026-01-02 00:00:00\n',
  B: 'id,amt,ts\n2,21,2026-01-03 00:00:00\n3,31,2026-01-03 00:00:00\n',
  C: 'id,amt,ts\n1,10,2026-01-01 00:00:00\n3,30,2026-01-01 00:00:00\n',
};

describe('keep-latest MERGE', () => {
  it.each([
    [
      'C',
      'A',
      'B',
      [
        [2, 0],
        [1, 1],
        [0, 2],
      ],
    ],
    [
      'B',
      'A',
      'C',
      [
        [2, 0],
        [1, 0],
        [0, 0],
      ],
    ],
    [
      'A',
      'C',
      'B',
      [
        [2, 0],
        [1, 0],
        [0, 2],
      ],
    ],
  ])('keeps the latest row per key whatever the order (%s, %s, %s)', async (...args) => {
    const [first, second, third, counts] = args as [string, string, string, number[][]];
    await createTable('orders', ORDERS_FIELDS);
    const stats = [];
    for (const name of [first, second, third]) {
      await stage(`bqal_r_${name}`, FILES[name] as string, ['id', 'amt', 'ts']);
      const job = await runQuery(`bqal_r_${name}_q`, keepLatestMerge(`bqal_r_${name}`));
      expect(job.status.errorResult).toBeUndefined();
      stats.push(job.statistics.query);
    }

    expect(stats.map((s) => [s?.dmlStats?.insertedRowCount, s?.dmlStats?.updatedRowCount])).toEqual(
      counts.map(([inserted, updated]) => [String(inserted), String(updated)]),
    );
    expect(stats[0]).toMatchObject({ statementType: 'MERGE', numDmlAffectedRows: '2' });
    expect(
      await h.server.query(
        "SELECT id, CAST(amount AS INTEGER) AS amount, strftime(updated_at, '%Y-%m-%d') AS day FROM sales.orders ORDER BY id",
      ),
    ).toEqual([
      { id: 1, amount: 11, day: '2026-01-02' },
      { id: 2, amount: 21, day: '2026-01-03' },
      { id: 3, amount: 31, day: '2026-01-03' },
    ]);
  });

  it('fails, as BigQuery does, when a target row matches several source rows', async () => {
    await createTable('orders', ORDERS_FIELDS);
    await stage('bqal_r_C', FILES.C as string, ['id', 'amt', 'ts']);
    await runQuery('seed_q', keepLatestMerge('bqal_r_C'));
    await stage('bqal_r_dup', 'id,amt,ts\n1,5,2026-02-01 00:00:00\n1,6,2026-02-02 00:00:00\n', [
      'id',
      'amt',
      'ts',
    ]);

    const job = await runQuery(
      'dup_q',
      'MERGE `proj.sales.orders` T USING (SELECT CAST(`id` AS INT64) AS `id` FROM `proj.bq_autoloader_staging.bqal_r_dup`) S ON T.`id` = S.`id` WHEN MATCHED THEN DELETE',
    );

    expect(job.status.errorResult).toEqual({
      reason: 'invalidQuery',
      message: 'UPDATE/MERGE must match at most one source row for each target row',
    });
    expect(await h.server.query('SELECT count(*) AS n FROM sales.orders')).toEqual([{ n: 2 }]);
  });
});

describe('append and rescue', () => {
  it('appends the user SELECT over the staging table', async () => {
    await createTable('orders', ORDERS_FIELDS);
    await stage('bqal_r_A', FILES.A as string, ['id', 'amt', 'ts']);

    const job = await runQuery(
      'append_q',
      "INSERT INTO `proj.sales.orders` (`id`, `amount`) SELECT `id`, `amount` FROM (SELECT CAST(`id` AS INT64) AS `id`, SAFE_CAST(`amt` AS NUMERIC) AS `amount` FROM `proj.bq_autoloader_staging.bqal_r_A` WHERE `amt` <> '99')",
    );

    expect(job.statistics.query?.dmlStats).toEqual({
      insertedRowCount: '2',
      updatedRowCount: '0',
      deletedRowCount: '0',
    });
    expect(await h.server.query('SELECT id, updated_at FROM sales.orders ORDER BY id')).toEqual([
      { id: 1, updated_at: null },
      { id: 2, updated_at: null },
    ]);
  });

  it('rescues extra columns into JSON (and NULL JSON when nothing is rescued)', async () => {
    await createTable('people', [
      { name: 'id', type: 'INT64' },
      { name: 'name', type: 'STRING' },
      { name: '_rescued', type: 'JSON' },
    ]);
    await stage('bqal_r_p', 'id,name,extra,other\n1,ann,e1,\n2,bob,e2,o2\n', [
      'id',
      'name',
      'extra',
      'other',
    ]);

    const rescued = await runQuery(
      'rescue_q',
      "INSERT INTO `p.sales.people` (`id`, `name`, `_rescued`) SELECT CAST(`id` AS INT64), CAST(`name` AS STRING), JSON_OBJECT('extra', `extra`, 'other', `other`) FROM `p.bq_autoloader_staging.bqal_r_p`",
    );
    const plain = await runQuery(
      'plain_q',
      'INSERT INTO `p.sales.people` (`id`, `name`, `_rescued`) SELECT CAST(`id` AS INT64) + 10, CAST(`name` AS STRING), CAST(NULL AS JSON) FROM `p.bq_autoloader_staging.bqal_r_p`',
    );

    expect(rescued.status.errorResult).toBeUndefined();
    expect(plain.status.errorResult).toBeUndefined();
    expect(
      await h.server.query(
        'SELECT id, name, CAST(_rescued AS VARCHAR) AS r FROM sales.people ORDER BY id',
      ),
    ).toEqual([
      { id: 1, name: 'ann', r: '{"extra":"e1","other":null}' },
      { id: 2, name: 'bob', r: '{"extra":"e2","other":"o2"}' },
      { id: 11, name: 'ann', r: null },
      { id: 12, name: 'bob', r: null },
    ]);
  });
});
