/**
 * REST surface: jobs.get, tables, datasets, queries, both path prefixes, fault injection.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, type Harness, PROJECT, SALES_SCHEMA, startHarness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  h.putObject('landing', 'sales.csv', readFileSync(join(FIXTURES, 'sales.csv')));
});
afterEach(() => h.close());

const salesJob = (jobId: string) =>
  h.loadJob(jobId, {
    sourceUris: ['gs://landing/sales.csv'],
    destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'sales' },
    skipLeadingRows: 1,
    schema: SALES_SCHEMA,
  });

async function getJson(path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${h.server.url}${path}`);
  return { status: res.status, body: await res.json() };
}

describe('local BigQuery REST surface', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(h.server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.server.host).toBe(h.server.url.slice('http://'.length));
  });

  it.each(['/bigquery/v2', ''])('serves jobs.get under the prefix "%s"', async (prefix) => {
    await h.insertJob(salesJob('j1'));
    await h.server.waitForJob(PROJECT, 'j1');

    const got = await getJson(`${prefix}/projects/${PROJECT}/jobs/j1?location=US`);

    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      jobReference: { projectId: PROJECT, jobId: 'j1', location: 'US' },
      status: { state: 'DONE' },
      statistics: { load: { outputRows: '3' } },
    });
  });

  it('answers 404 notFound for an unknown job', async () => {
    const got = await getJson(`/bigquery/v2/projects/${PROJECT}/jobs/missing?location=US`);

    expect(got).toMatchObject({
      status: 404,
      body: { error: { errors: [{ reason: 'notFound' }] } },
    });
  });

  it('describes tables and datasets', async () => {
    await h.insertJob(salesJob('j1'));
    await h.server.waitForJob(PROJECT, 'j1');

    const table = await getJson(`/bigquery/v2/projects/${PROJECT}/datasets/raw/tables/sales`);
    const tables = await getJson(`/bigquery/v2/projects/${PROJECT}/datasets/raw/tables`);
    const datasets = await getJson(`/bigquery/v2/projects/${PROJECT}/datasets`);
    const dataset = await getJson(`/bigquery/v2/projects/${PROJECT}/datasets/raw`);
    const missing = await getJson(`/bigquery/v2/projects/${PROJECT}/datasets/nope`);

    expect(table.body).toMatchObject({
      numRows: '3',
      schema: {
        fields: [
          { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
          { name: 'name', type: 'STRING', mode: 'NULLABLE' },
          { name: 'amount', type: 'FLOAT', mode: 'NULLABLE' },
        ],
      },
    });
    expect(tables.body).toMatchObject({ tables: [{ tableReference: { tableId: 'sales' } }] });
    expect(datasets.body).toMatchObject({ datasets: [{ datasetReference: { datasetId: 'raw' } }] });
    expect(dataset.body).toMatchObject({
      datasetReference: { projectId: PROJECT, datasetId: 'raw' },
    });
    expect(missing.status).toBe(404);
  });

  it('answers jobs.query in the BigQuery row shape', async () => {
    await h.insertJob(salesJob('j1'));
    await h.server.waitForJob(PROJECT, 'j1');

    const res = await fetch(`${h.server.url}/bigquery/v2/projects/${PROJECT}/queries`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'SELECT count(*) AS n, max(name) AS top FROM `raw.sales`' }),
    });

    expect(await res.json()).toMatchObject({
      schema: {
        fields: [
          { name: 'n', type: 'INTEGER' },
          { name: 'top', type: 'STRING' },
        ],
      },
      rows: [{ f: [{ v: '3' }, { v: 'cherry' }] }],
      totalRows: '1',
      jobComplete: true,
    });
  });

  it('fails the injected number of matching requests, then serves normally', async () => {
    h.server.injectFault({ method: 'POST', path: /\/jobs$/, status: 503, times: 1 });

    const failed = await h.insertJob(salesJob('f1'));
    const retried = await h.insertJob(salesJob('f1'));

    expect(failed.status).toBe(503);
    expect(await failed.json()).toMatchObject({
      error: { code: 503, errors: [{ reason: 'backendError', domain: 'global' }] },
    });
    expect(retried.status).toBe(200);
    expect(h.server.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
    expect((await h.server.waitForJob(PROJECT, 'f1')).statistics.load?.outputRows).toBe('3');
  });

  it('destroys the socket for a reset fault', async () => {
    h.server.injectFault({ path: /jobs/, reset: true });

    await expect(h.insertJob(salesJob('r1'))).rejects.toThrow();
    expect(h.server.requests).toHaveLength(1);
  });
});

describe('exactly-once support', () => {
  it('creates the job but answers the fault when the fault is afterServing', async () => {
    h.server.injectFault({ method: 'POST', status: 503, afterServing: true });

    const lost = await h.insertJob(salesJob('lost'));
    const retried = await h.insertJob(salesJob('lost'));

    expect(lost.status).toBe(503);
    expect(retried.status).toBe(409);
    await h.server.waitForJob(PROJECT, 'lost');
    expect(await h.server.query('SELECT count(*) AS n FROM raw.sales')).toEqual([{ n: 3 }]);
  });

  it('accepts one of ten concurrent inserts of the same job and loads its rows once', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async () => (await h.insertJob(salesJob('same'))).status),
    );
    await h.server.waitForJob(PROJECT, 'same');

    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
    expect(await h.server.query('SELECT count(*) AS n FROM raw.sales')).toEqual([{ n: 3 }]);
  });
});
