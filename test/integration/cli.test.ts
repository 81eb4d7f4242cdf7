/** The operator's commands, run as built (`dist/cli.js`), against the local servers. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalStack, startLocalStack } from '../support/local-stack';
import { REPO, runCli } from '../support/run-cli';

const EXAMPLE_RULES = join(REPO, 'examples/autoloader.yaml');
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
});

afterAll(async () => {
  await stack?.close();
});

/** A project of its own, so nothing reads the developer's; each test adds what it needs. */
function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(args, { GOOGLE_CLOUD_PROJECT: 'cli-project', ...env });
}

describe('bq-autoloader validate', () => {
  it('accepts the shipped example rules', async () => {
    const { code, stdout } = await cli(['validate', '--config', EXAMPLE_RULES]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/OK \(4 routes\)/);
    // The staged route shows what its loads will run (docs/transforms.md).
    expect(stdout).toContain(
      'route customers:\n  staging table: `local-project.bq_autoloader_staging.LOAD_JOB_ID`',
    );
    expect(stdout).toContain('query job: LOAD_JOB_ID_q');
    expect(stdout).toContain('MERGE `local-project.raw.customers` AS T');
  });

  it('exits 1 and names each bad field', async () => {
    const path = stack.writeRules(
      'routes:\n  - name: a\n    match: gs://b/*.csv\n    destination: raw.t\n    load: { skipLeadingRows: -1, writeDisposition: NOPE }\n',
      'invalid.yaml',
    );
    const { code, stderr } = await cli(['validate', '--config', path]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/routes\[0\]\.load\.writeDisposition/);
    expect(stderr).toMatch(/routes\[0\]\.load\.skipLeadingRows/);
  });

  it('names each problem at its file:line:column', async () => {
    const path = stack.writeRules(
      'routes:\n  - name: all\n    match: gs://b/**\n    destination: raw.t\n  - name: late\n    match: gs://b/x/*.csv\n    destination: raw.u$20261345\n',
      'positions.yaml',
    );
    const { code, stderr } = await cli(['validate', '--config', path]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${path}:7:5: routes[1].destination: partition decorator "$20261345"`);
  });

  it('exits 0 but prints a warning for a destination outside the allowlist, at its line', async () => {
    const path = stack.writeRules(
      'project: p\nallow:\n  destinations: [p.raw]\nroutes:\n  - name: a\n    match: gs://b/*.csv\n    destination: secret.t\n',
      'warnings.yaml',
    );
    const { code, stdout, stderr } = await cli(['validate', '--config', path]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/OK \(1 routes, 1 warnings\)/);
    expect(stderr).toContain(
      `warning: ${path}:7:5: routes[0].destination: destination p.secret.t is not in allow.destinations`,
    );
  });

  it('exits 1 naming an environment setting it cannot read, before reading any rules', async () => {
    const { code, stdout, stderr } = await cli(['validate'], { AUTOLOADER_CONFIG: '   ' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^AUTOLOADER_CONFIG is set but blank/);
  });
});

describe('bq-autoloader plan', () => {
  it('prints the exact Job JSON for an object described by flags', async () => {
    const { code, stdout, stderr } = await cli([
      'plan',
      'gs://landing/sales/eu/2026-11-01.csv',
      '--config',
      EXAMPLE_RULES,
      '--generation',
      '1764324000000001',
      '--size',
      '2048',
    ]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/route sales/);
    const job = JSON.parse(stdout);
    expect(job.jobReference).toMatchObject({ projectId: 'local-project', location: 'US' });
    expect(job.jobReference.jobId).toMatch(/^bqal_sales_[0-9a-f]+$/);
    expect(job.configuration.load).toMatchObject({
      destinationTable: {
        projectId: 'local-project',
        datasetId: 'raw',
        tableId: 'sales_eu$20261101',
      },
      sourceUris: ['gs://landing/sales/eu/2026-11-01.csv'],
      sourceFormat: 'CSV',
      skipLeadingRows: 1,
      writeDisposition: 'WRITE_APPEND',
    });
    expect(job.configuration.load.schema.fields[0]).toMatchObject({ name: 'order_id' });
  });

  it.each([
    [{}, '', 'https://bigquery.googleapis.com/bigquery/v2/projects/cli-project/jobs'],
    [
      { GOOGLE_CLOUD_UNIVERSE_DOMAIN: 's3nsapis.fr', GOOGLE_CLOUD_PROJECT: 's3ns:example-project' },
      '',
      'https://bigquery.s3nsapis.fr/bigquery/v2/projects/s3ns%3Aexample-project/jobs',
    ],
    [
      { GOOGLE_CLOUD_PROJECT: 's3ns:example-project' },
      'universeDomain: s3nsapis.fr\nlocation: u-france-east1\n',
      'https://bigquery.s3nsapis.fr/bigquery/v2/projects/s3ns%3Aexample-project/jobs',
    ],
    [
      { GOOGLE_CLOUD_PROJECT: 'example.com:project' },
      'endpoints: regional\nlocation: europe-west9\n',
      'https://bigquery.europe-west9.rep.googleapis.com/bigquery/v2/projects/example.com%3Aproject/jobs',
    ],
  ])('prints the full jobs.insert URL it would call (%j)', async (env, top, url) => {
    const rules = stack.writeRules(
      `${top}routes:\n  - name: r\n    match: gs://b/*.csv\n    destination: raw.t\n`,
      `plan-url-${Object.keys(env).length}-${top.length}.yaml`,
    );
    const { code, stderr } = await cli(
      ['plan', 'gs://b/x.csv', '--config', rules, '--generation', '7'],
      env,
    );
    expect(code).toBe(0);
    expect(stderr).toContain(`POST ${url}\n`);
  });

  it('reads the live generation from Cloud Storage when none is given', async () => {
    const stored = stack.gcs.store.insert(
      'landing',
      'products/live.parquet',
      Buffer.from('PAR1'),
      {},
    );
    const { code, stdout } = await cli(
      ['plan', 'gs://landing/products/live.parquet', '--config', EXAMPLE_RULES],
      { STORAGE_EMULATOR_HOST: stack.gcs.emulatorHost },
    );
    expect(code).toBe(0);
    const job = JSON.parse(stdout);
    expect(job.configuration.load.sourceFormat).toBe('PARQUET');
    expect(job.configuration.labels).toMatchObject({ 'bq-autoloader-route': 'products' });
    // Same id the finalize event for that generation would get.
    const again = await cli([
      'plan',
      'gs://landing/products/live.parquet',
      '--config',
      EXAMPLE_RULES,
      '--generation',
      stored.generation,
      '--size',
      stored.size,
    ]);
    expect(JSON.parse(again.stdout).jobReference.jobId).toBe(job.jobReference.jobId);
  });

  it.each([
    ['a zero-byte object', ['--size', '0'], /refused.*(zero|empty)/i],
    ['an object no route matches', [], /ignored/],
  ])('explains %s with a non-zero exit', async (_case, extra, reason) => {
    const name = extra.length ? 'gs://landing/sales/eu/2026-11-02.csv' : 'gs://landing/misc/x.txt';
    const { code, stdout, stderr } = await cli([
      'plan',
      name,
      '--config',
      EXAMPLE_RULES,
      '--generation',
      '1',
      ...extra,
    ]);
    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(stderr).toMatch(reason);
  });
});

describe('bq-autoloader local query', () => {
  it('prints the rows of a SQL query as JSON', async () => {
    stack.gcs.store.insert('landing', 'q/rows.csv', Buffer.from('a,b\n1,x\n2,y\n'), {});
    const inserted = await fetch(`${stack.bigquery.url}/bigquery/v2/projects/p/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jobReference: { projectId: 'p', jobId: 'cli-query-1', location: 'US' },
        configuration: {
          load: {
            destinationTable: { projectId: 'p', datasetId: 'cli', tableId: 'rows' },
            sourceUris: ['gs://landing/q/rows.csv'],
            sourceFormat: 'CSV',
            skipLeadingRows: 1,
            autodetect: true,
          },
        },
      }),
    });
    expect(inserted.status).toBe(200);
    await stack.bigquery.waitForJob('p', 'cli-query-1');
    const sql = 'SELECT a, b FROM cli.rows ORDER BY a';
    const env = { BIGQUERY_EMULATOR_HOST: stack.bigquery.host };
    const { code, stdout } = await cli(['local', 'query', sql, '--json'], env);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      { a: '1', b: 'x' },
      { a: '2', b: 'y' },
    ]);
    const text = await cli(['local', 'query', sql], env);
    expect(text.stdout).toBe('a  b\n1  x\n2  y\n(2 rows)\n');
  });

  it('tells how to start the stack when none is running', async () => {
    const { code, stderr } = await cli(['local', 'query', 'SELECT 1'], {
      AUTOLOADER_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'bqal-nolocal-')),
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/npm start/);
  });
});

describe('commands that call Google follow the universe the rules and credentials decide', () => {
  const metadataEnv = () => ({
    GCE_METADATA_HOST: stack.metadata.host,
    METADATA_SERVER_DETECTION: 'assume-present',
    STORAGE_EMULATOR_HOST: stack.gcs.emulatorHost,
  });

  it.each([
    ['status --route', ['status', '--route', 'r']],
    ['sweep', ['sweep', '--route', 'r', '--dry-run']],
    ['plan (live object)', ['plan', 'gs://b/x.csv']],
  ])('%s refuses a rules universe the credentials do not belong to', async (_name, args) => {
    const rules = stack.writeRules(
      'universeDomain: s3nsapis.fr\nroutes:\n  - name: r\n    match: gs://b/*.csv\n    destination: raw.t\n',
      'universe-cli.yaml',
    );
    const { code, stderr } = await cli([...args, '--config', rules], metadataEnv());
    expect(code).toBe(1);
    expect(stderr).toContain(
      'universe mismatch: the rules file says s3nsapis.fr but the credentials belong to googleapis.com',
    );
  });
});
