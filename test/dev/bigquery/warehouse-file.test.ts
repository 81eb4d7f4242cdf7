/**
 * A file warehouse survives a restart: rows stay, and a used job id still answers 409.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBigQueryServer } from '../../../dev/bigquery/server';
import { FIXTURES, PROJECT, SALES_SCHEMA } from './helpers';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bq-file-'));
  mkdirSync(join(dir, 'buckets', 'landing'), { recursive: true });
  writeFileSync(
    join(dir, 'buckets', 'landing', 'sales.csv'),
    readFileSync(join(FIXTURES, 'sales.csv')),
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const job = {
  jobReference: { projectId: PROJECT, jobId: 'kept', location: 'EU' },
  configuration: {
    load: {
      sourceUris: ['gs://landing/sales.csv'],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'sales' },
      skipLeadingRows: 1,
      schema: SALES_SCHEMA,
    },
  },
};

function start() {
  return startBigQueryServer({
    bucketsDir: join(dir, 'buckets'),
    warehousePath: join(dir, 'warehouse.duckdb'),
  });
}

async function insert(url: string): Promise<number> {
  const res = await fetch(`${url}/projects/${PROJECT}/jobs`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(job),
  });
  return res.status;
}

it('keeps rows and job ids across a restart', async () => {
  const first = await start();
  expect(await insert(first.url)).toBe(200);
  await first.waitForJob(PROJECT, 'kept');
  await first.close();

  const second = await start();
  try {
    const again = await insert(second.url);
    const got = await fetch(`${second.url}/bigquery/v2/projects/${PROJECT}/jobs/kept?location=EU`);

    expect(again).toBe(409);
    expect(await got.json()).toMatchObject({ status: { state: 'DONE' } });
    expect(await second.query('SELECT count(*) AS n FROM raw.sales')).toEqual([{ n: 3 }]);
  } finally {
    await second.close();
  }
});

it('keeps a query job id used across a restart, without running it again', async () => {
  const queryJob = {
    jobReference: { projectId: PROJECT, jobId: 'kept_q', location: 'US' },
    configuration: {
      query: {
        query: 'SELECT 1 AS n',
        useLegacySql: false,
        destinationTable: { projectId: PROJECT, datasetId: 'out', tableId: 'n' },
        writeDisposition: 'WRITE_APPEND',
      },
    },
  };
  const post = (url: string) =>
    fetch(`${url}/projects/${PROJECT}/jobs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(queryJob),
    });
  const first = await start();
  expect((await post(first.url)).status).toBe(200);
  await first.waitForJob(PROJECT, 'kept_q');
  await first.close();

  const second = await start();
  try {
    const again = await post(second.url);
    const got = await fetch(`${second.url}/projects/${PROJECT}/jobs/kept_q?location=US`);

    expect(again.status).toBe(409);
    expect(await got.json()).toMatchObject({
      configuration: { jobType: 'QUERY' },
      status: { state: 'DONE' },
      statistics: { query: { statementType: 'SELECT' } },
    });
    expect(await second.query('SELECT count(*) AS n FROM out.n')).toEqual([{ n: 1 }]);
  } finally {
    await second.close();
  }
});
