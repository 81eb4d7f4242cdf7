/**
 * The tables and datasets API: insert, get, patch, delete, expiration by the server's clock,
 * and a dataset's default table expiration (kept across restarts of a file warehouse).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBigQueryServer } from '../../../dev/bigquery/server';
import { callApi, type Harness, PROJECT, queryJobBody, startHarness } from './helpers';

const HOUR = 3_600_000;
let now: number;
let h: Harness;
beforeEach(async () => {
  now = Date.UTC(2026, 0, 1);
  h = await startHarness({ clock: () => new Date(now) });
});
afterEach(() => h.close());

const TABLES = '/datasets/raw/tables';
const SCHEMA = {
  fields: [
    { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
    { name: 'name', type: 'STRING', mode: 'NULLABLE' },
  ],
};

function insertTable(tableId: string, extra: Record<string, unknown> = {}) {
  return callApi(h.server, 'POST', TABLES, {
    tableReference: { projectId: PROJECT, datasetId: 'raw', tableId },
    schema: SCHEMA,
    ...extra,
  });
}

describe('tables', () => {
  it('inserts, gets and answers 409 for an existing table', async () => {
    const created = await insertTable('t', {
      timePartitioning: { type: 'DAY' },
      clustering: { fields: ['name'] },
      labels: { team: 'data' },
    });
    const again = await insertTable('t');
    const got = await callApi(h.server, 'GET', `${TABLES}/t`);

    expect(created.status).toBe(200);
    expect(got.body).toEqual({
      kind: 'bigquery#table',
      id: `${PROJECT}:raw.t`,
      tableReference: { projectId: PROJECT, datasetId: 'raw', tableId: 't' },
      type: 'TABLE',
      schema: SCHEMA,
      numRows: '0',
      timePartitioning: { type: 'DAY' },
      clustering: { fields: ['name'] },
      labels: { team: 'data' },
      creationTime: String(now),
    });
    expect(again).toMatchObject({
      status: 409,
      body: {
        error: {
          errors: [{ reason: 'duplicate', message: `Already Exists: Table ${PROJECT}:raw.t` }],
        },
      },
    });
  });

  it('patches a schema: adds NULLABLE fields, relaxes REQUIRED, refuses anything else', async () => {
    await insertTable('t');
    const fields = [...SCHEMA.fields];
    const relaxedAndAdded = {
      fields: [{ ...fields[0], mode: 'NULLABLE' }, fields[1], { name: 'extra', type: 'JSON' }],
    };

    const patched = await callApi(h.server, 'PATCH', `${TABLES}/t`, { schema: relaxedAndAdded });
    const dropped = await callApi(h.server, 'PATCH', `${TABLES}/t`, {
      schema: { fields: [relaxedAndAdded.fields[0], relaxedAndAdded.fields[2]] },
    });
    const retyped = await callApi(h.server, 'PATCH', `${TABLES}/t`, {
      schema: {
        fields: [{ name: 'id', type: 'STRING' }, fields[1], { name: 'extra', type: 'JSON' }],
      },
    });
    const required = await callApi(h.server, 'PATCH', `${TABLES}/t`, {
      schema: {
        fields: [...relaxedAndAdded.fields, { name: 'more', type: 'STRING', mode: 'REQUIRED' }],
      },
    });

    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      schema: {
        fields: [
          { name: 'id', type: 'INTEGER', mode: 'NULLABLE' },
          { name: 'name', type: 'STRING', mode: 'NULLABLE' },
          { name: 'extra', type: 'JSON', mode: 'NULLABLE' },
        ],
      },
    });
    for (const [refused, detail] of [
      [dropped, 'Field name is missing in new schema'],
      [retyped, 'Field id has changed type from INTEGER to STRING'],
      [required, 'Cannot add required fields to an existing schema. (field: more)'],
    ] as const) {
      expect(refused).toMatchObject({
        status: 400,
        body: {
          error: {
            errors: [
              {
                reason: 'invalid',
                message: `Provided Schema does not match Table ${PROJECT}:raw.t. ${detail}`,
              },
            ],
          },
        },
      });
    }
  });

  it('deletes a table (204, empty body), then answers 404', async () => {
    await insertTable('t');

    const deleted = await callApi(h.server, 'DELETE', `${TABLES}/t`);
    const again = await callApi(h.server, 'DELETE', `${TABLES}/t`);
    const got = await callApi(h.server, 'GET', `${TABLES}/t`);

    expect(deleted).toEqual({ status: 204, body: undefined });
    expect(again.status).toBe(404);
    expect(got).toMatchObject({
      status: 404,
      body: {
        error: { errors: [{ reason: 'notFound', message: `Not found: Table ${PROJECT}:raw.t` }] },
      },
    });
  });

  it('drops a table once its expirationTime has passed (get, list, queries)', async () => {
    await insertTable('short', { expirationTime: String(now + HOUR) });
    await insertTable('kept');
    const patched = await callApi(h.server, 'PATCH', `${TABLES}/kept`, {
      expirationTime: String(now + 3 * HOUR),
    });
    const before = await callApi(h.server, 'GET', `${TABLES}/short`);

    now += 2 * HOUR;
    const after = await callApi(h.server, 'GET', `${TABLES}/short`);
    const list = await callApi(h.server, 'GET', TABLES);
    const job = await h.insertJob(queryJobBody('gone', 'SELECT * FROM `raw.short`'));
    await h.server.waitForJob(PROJECT, 'gone');
    const failed = await callApi(h.server, 'GET', '/jobs/gone');

    expect(before.body).toMatchObject({ expirationTime: String(now - HOUR) });
    expect(patched.body).toMatchObject({ expirationTime: String(now + HOUR) });
    expect(after.status).toBe(404);
    expect(list.body).toMatchObject({ tables: [{ tableReference: { tableId: 'kept' } }] });
    expect((list.body as { tables: unknown[] }).tables).toHaveLength(1);
    expect(job.status).toBe(200);
    expect(failed.body).toMatchObject({ status: { errorResult: { reason: 'notFound' } } });
  });
});

describe('datasets', () => {
  it('inserts a dataset (409 when it exists) and applies its default expiration to a loaded table', async () => {
    const body = {
      datasetReference: { projectId: PROJECT, datasetId: 'raw' },
      location: 'EU',
      defaultTableExpirationMs: String(2 * HOUR),
    };
    const created = await callApi(h.server, 'POST', '/datasets', body);
    const again = await callApi(h.server, 'POST', '/datasets', body);
    h.putObject('landing', 'a.csv', 'id,name\n1,x\n');
    await h.insertJob(
      h.loadJob('load_a', {
        sourceUris: ['gs://landing/a.csv'],
        destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'loaded' },
        skipLeadingRows: 1,
        schema: SCHEMA,
      }),
    );
    await h.server.waitForJob(PROJECT, 'load_a');
    const table = await callApi(h.server, 'GET', `${TABLES}/loaded`);
    now += 3 * HOUR;
    const expired = await callApi(h.server, 'GET', `${TABLES}/loaded`);

    expect(created.body).toEqual({
      kind: 'bigquery#dataset',
      id: `${PROJECT}:raw`,
      datasetReference: { projectId: PROJECT, datasetId: 'raw' },
      location: 'EU',
      defaultTableExpirationMs: String(2 * HOUR),
    });
    expect(again.status).toBe(409);
    expect(table.body).toMatchObject({
      numRows: '1',
      creationTime: String(now - 3 * HOUR),
      expirationTime: String(now - HOUR),
    });
    expect(expired.status).toBe(404);
  });

  it('deletes a dataset: 400 while it holds tables, unless deleteContents', async () => {
    await insertTable('t');

    const inUse = await callApi(h.server, 'DELETE', '/datasets/raw');
    const deleted = await callApi(h.server, 'DELETE', '/datasets/raw?deleteContents=true');
    const got = await callApi(h.server, 'GET', '/datasets/raw');

    expect(inUse).toMatchObject({
      status: 400,
      body: {
        error: {
          errors: [{ reason: 'resourceInUse', message: `Dataset ${PROJECT}:raw is still in use` }],
        },
      },
    });
    expect(deleted.status).toBe(204);
    expect(got.status).toBe(404);
  });

  it('refuses a default expiration under an hour', async () => {
    const res = await callApi(h.server, 'POST', '/datasets', {
      datasetReference: { datasetId: 'raw' },
      defaultTableExpirationMs: 1000,
    });

    expect(res.status).toBe(400);
  });
});

it('keeps a dataset default expiration and table expirations across a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bq-catalog-'));
  const start = () =>
    startBigQueryServer({
      bucketsDir: dir,
      projectId: PROJECT,
      warehousePath: join(dir, 'w.duckdb'),
      clock: () => new Date(now),
    });
  try {
    const first = await start();
    await callApi(first, 'POST', '/datasets', {
      datasetReference: { datasetId: 'raw' },
      defaultTableExpirationMs: String(HOUR),
    });
    await callApi(first, 'POST', TABLES, { tableReference: { tableId: 't' }, schema: SCHEMA });
    await first.close();

    const second = await start();
    const dataset = await callApi(second, 'GET', '/datasets/raw');
    const table = await callApi(second, 'GET', `${TABLES}/t`);
    await second.close();

    expect(dataset.body).toMatchObject({ defaultTableExpirationMs: String(HOUR) });
    expect(table.body).toMatchObject({ expirationTime: String(now + HOUR) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
