/**
 * The local BigQuery server is reachable by anything on this machine, browsers included: it
 * refuses foreign hosts and cross-site requests, reads no file but the ones a load names (no
 * globbing, nothing outside the buckets folder), answers only read-only queries and keeps
 * no request body beyond a small recorded prefix.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { rawRequest } from '../../support/raw-http';
import { type Harness, PROJECT, startHarness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ maxBodyBytes: 256 * 1024 });
});
afterEach(() => h.close());

const EVENTS = { fields: [{ name: 'n', type: 'INT64' }] };

async function loadEvents(jobId: string, uri: string) {
  const res = await h.insertJob(
    h.loadJob(jobId, {
      sourceUris: [uri],
      destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'events' },
      sourceFormat: 'NEWLINE_DELIMITED_JSON',
      schema: EVENTS,
    }),
  );
  if (res.status !== 200) return { status: res.status, job: undefined };
  return { status: res.status, job: await h.server.waitForJob(PROJECT, jobId) };
}

function query(sql: string, contentType = 'application/json') {
  return fetch(`${h.server.url}/bigquery/v2/projects/${PROJECT}/queries`, {
    method: 'POST',
    headers: { 'Content-Type': contentType },
    body: JSON.stringify({ query: sql, useLegacySql: false }),
  });
}

describe('loads read exactly the files they name', () => {
  it.each([
    ['glob?.ndjson', ['globA.ndjson', 'globB.ndjson']],
    ['glob[ab].ndjson', ['globa.ndjson', 'globb.ndjson']],
    ['glob{a,b}.ndjson', ['globa.ndjson', 'globb.ndjson']],
  ])('loads %s alone, not its neighbours %j', async (name, neighbours) => {
    h.putObject('landing', name, '{"n":1}\n');
    for (const other of neighbours) h.putObject('landing', other, '{"n":2}\n{"n":3}\n');

    const { job } = await loadEvents('exact', `gs://landing/${name}`);

    expect(job?.status).toEqual({ state: 'DONE' });
    expect(await h.server.query('SELECT n FROM raw.events')).toEqual([{ n: 1 }]);
  });

  it.each([
    'gs://../outside.ndjson',
    'gs://landing/../outside.ndjson',
    'gs://landing/../../outside.ndjson',
    'gs:///outside.ndjson',
    'gs://landing//outside.ndjson',
    'gs://landing/a\u0000b.ndjson',
    'gs://landing/link.ndjson',
  ])('never reads outside the buckets folder for %j', async (uri) => {
    const outside = join(dirname(h.bucketsDir), 'outside.ndjson');
    writeFileSync(outside, '{"n":666}\n');
    writeFileSync(join(h.bucketsDir, 'outside.ndjson'), '{"n":667}\n');
    mkdirSync(join(h.bucketsDir, 'landing'), { recursive: true });
    symlinkSync(outside, join(h.bucketsDir, 'landing', 'link.ndjson'));

    const { status, job } = await loadEvents('escape', uri);

    if (status === 200) expect(job?.status.errorResult).toBeDefined();
    else expect(status).toBe(400);
    const loaded = await h.server.query(
      "SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = 'raw'",
    );
    if (loaded[0]?.n) expect(await h.server.query('SELECT n FROM raw.events')).toEqual([]);
  });

  it('runs DuckDB with external access off and its configuration locked', async () => {
    expect(
      await h.server.query(
        "SELECT current_setting('enable_external_access') AS external, current_setting('lock_configuration') AS locked",
      ),
    ).toEqual([{ external: false, locked: true }]);
  });
});

describe('the query endpoint', () => {
  it('answers a read-only query', async () => {
    h.putObject('landing', 'a.ndjson', '{"n":1}\n');
    await loadEvents('q', 'gs://landing/a.ndjson');
    const res = await query('SELECT n FROM `local-project.raw.events`');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rows: [{ f: [{ v: '1' }] }] });
  });

  it.each([
    ["SELECT * FROM read_text('/etc/hostname')"],
    ["SELECT * FROM read_csv('/etc/passwd')"],
    ["COPY (SELECT 1) TO '__OUT__'"],
    ["SELECT 1; COPY (SELECT 1) TO '__OUT__'"],
    ["ATTACH '__OUT__' AS other"],
    ['CREATE TABLE main.x AS SELECT 1 AS a'],
    ['SET enable_external_access = true'],
    ['INSTALL httpfs'],
  ])('refuses %s', async (sql) => {
    const out = join(dirname(h.bucketsDir), `copied-${Date.now()}.csv`);
    const res = await query(sql.replaceAll('__OUT__', out));
    expect(res.status).toBe(400);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a body that is not JSON: a browser sends text/plain without a preflight', async () => {
    const res = await query('SELECT 1', 'text/plain');
    expect(res.status).toBe(415);
  });
});

describe('requests from elsewhere', () => {
  const body = JSON.stringify({ query: 'SELECT 1' });
  const json = { 'Content-Type': 'application/json' };

  it('accepts 127.0.0.1:PORT and localhost:PORT as Host', async () => {
    const port = new URL(h.server.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      const res = await rawRequest(`${h.server.url}/bigquery/v2/projects/p/queries`, {
        method: 'POST',
        headers: { ...json, Host: host },
        body,
      });
      expect(res.status).toBe(200);
    }
  });

  it.each([
    [{ Host: 'attacker.example' }],
    [{ Host: 'attacker.example:80' }],
    [{ Origin: 'http://attacker.example' }],
    [{ 'Sec-Fetch-Site': 'cross-site' }],
  ])('refuses %j with 403 before doing anything', async (headers) => {
    const res = await rawRequest(`${h.server.url}/bigquery/v2/projects/p/queries`, {
      method: 'POST',
      headers: { ...json, ...headers },
      body,
    });
    expect(res.status).toBe(403);
  });
});

describe('request bodies', () => {
  it('answers 413 to a body over the limit', async () => {
    const big = JSON.stringify({ query: `SELECT '${'x'.repeat(300 * 1024)}'` });
    const res = await rawRequest(`${h.server.url}/bigquery/v2/projects/p/queries`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: big,
    });
    expect(res.status).toBe(413);
  });

  it('records a request with only a small prefix of its body', async () => {
    const sql = `SELECT '${'x'.repeat(200 * 1024)}' AS x`;
    const big = JSON.stringify({ query: sql, useLegacySql: false });
    const res = await query(sql);
    expect(res.status).toBe(200);
    const [recorded] = h.server.requests;
    expect(recorded?.bodyBytes).toBe(Buffer.byteLength(big));
    expect(recorded?.body.length).toBeLessThanOrEqual(64 * 1024);
    expect(recorded?.body.toString('utf8')).toBe(big.slice(0, recorded?.body.length));
  });
});
