/**
 * Loads into an existing table: schemaUpdateOptions (field addition, relaxation) and what a
 * load without them does with new fields; autodetect into an existing table.
 */
import { callApi, type Harness, PROJECT, startHarness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  const created = await callApi(h.server, 'POST', '/datasets/raw/tables', {
    tableReference: { tableId: 'people' },
    schema: {
      fields: [
        { name: 'id', type: 'INT64', mode: 'REQUIRED' },
        { name: 'name', type: 'STRING', mode: 'REQUIRED' },
      ],
    },
  });
  expect(created.status).toBe(200);
});
afterEach(() => h.close());

const destinationTable = { projectId: PROJECT, datasetId: 'raw', tableId: 'people' };
const LABEL = `${PROJECT}:raw.people`;

async function load(jobId: string, file: string, content: string, load: Record<string, unknown>) {
  h.putObject('landing', file, content);
  const res = await h.insertJob(
    h.loadJob(jobId, { sourceUris: [`gs://landing/${file}`], destinationTable, ...load }),
  );
  if (res.status !== 200) return { status: res.status, body: await res.json(), job: undefined };
  return { status: res.status, body: undefined, job: await h.server.waitForJob(PROJECT, jobId) };
}

async function schema() {
  const table = await callApi(h.server, 'GET', '/datasets/raw/tables/people');
  return (table.body as { schema: { fields: { name: string; mode: string }[] } }).schema.fields.map(
    (f) => `${f.name}:${f.mode}`,
  );
}

const JSON_FORMAT = { sourceFormat: 'NEWLINE_DELIMITED_JSON' };
const WITH_EXTRA = {
  fields: [
    { name: 'id', type: 'INT64', mode: 'REQUIRED' },
    { name: 'name', type: 'STRING', mode: 'REQUIRED' },
    { name: 'extra', type: 'STRING' },
  ],
};

describe('schemaUpdateOptions', () => {
  it.each(['WRITE_TRUNCATE', 'WRITE_EMPTY'])(
    'are refused with %s on a whole table',
    async (writeDisposition) => {
      const res = await load('opt', 'a.json', '{"id":1,"name":"a"}\n', {
        ...JSON_FORMAT,
        autodetect: true,
        writeDisposition,
        schemaUpdateOptions: ['ALLOW_FIELD_ADDITION'],
      });

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        error: {
          errors: [
            {
              reason: 'invalid',
              message:
                'Schema update options should only be specified with WRITE_APPEND disposition, or with WRITE_TRUNCATE disposition on a table partition.',
            },
          ],
        },
      });
    },
  );

  it('adds a field a declared schema brings only with ALLOW_FIELD_ADDITION', async () => {
    const file = '{"id":1,"name":"a","extra":"x"}\n';
    const without = await load('plain', 'a.json', file, { ...JSON_FORMAT, schema: WITH_EXTRA });
    const declaredOnly = await load('plain2', 'b.json', file, {
      ...JSON_FORMAT,
      schema: { fields: WITH_EXTRA.fields.slice(0, 2) },
    });
    const added = await load('added', 'c.json', file, {
      ...JSON_FORMAT,
      schema: WITH_EXTRA,
      schemaUpdateOptions: ['ALLOW_FIELD_ADDITION'],
    });

    expect(without.job?.status.errorResult?.message).toBe(
      `Provided Schema does not match Table ${LABEL}. Cannot add fields (field: extra)`,
    );
    expect(declaredOnly.job?.status.errors?.[1]?.message).toMatch(/No such field: extra\./);
    expect(added.job?.status.errorResult).toBeUndefined();
    expect(await schema()).toEqual(['id:REQUIRED', 'name:REQUIRED', 'extra:NULLABLE']);
    expect(await h.server.query('SELECT id, name, extra FROM raw.people')).toEqual([
      { id: 1, name: 'a', extra: 'x' },
    ]);
  });

  it('adds autodetected fields only with ALLOW_FIELD_ADDITION, in the job transaction', async () => {
    await load('first', 'a.json', '{"id":1,"name":"a"}\n', { ...JSON_FORMAT, autodetect: true });
    const refused = await load('new', 'b.json', '{"id":2,"name":"b","extra":"x"}\n', {
      ...JSON_FORMAT,
      autodetect: true,
    });
    const failed = await load('bad', 'c.json', '{"id":3,"name":"c","extra":"y"}\nnot json\n', {
      ...JSON_FORMAT,
      autodetect: true,
      schemaUpdateOptions: ['ALLOW_FIELD_ADDITION'],
    });
    const schemaAfterFailure = await schema();
    const added = await load('ok', 'd.json', '{"id":4,"name":"d","extra":"z"}\n', {
      ...JSON_FORMAT,
      autodetect: true,
      schemaUpdateOptions: ['ALLOW_FIELD_ADDITION'],
    });

    expect(refused.job?.status.errorResult?.message).toBe(
      `Provided Schema does not match Table ${LABEL}. Cannot add fields (field: extra)`,
    );
    expect(failed.job?.status.errorResult).toBeDefined();
    expect(schemaAfterFailure).toEqual(['id:REQUIRED', 'name:REQUIRED']);
    expect(added.job?.status.errorResult).toBeUndefined();
    expect(await h.server.query('SELECT id, extra FROM raw.people ORDER BY id')).toEqual([
      { id: 1, extra: null },
      { id: 4, extra: 'z' },
    ]);
  });

  it('relaxes a REQUIRED column the file leaves null only with ALLOW_FIELD_RELAXATION', async () => {
    const file = '{"id":1}\n';
    const refused = await load('strict', 'a.json', file, { ...JSON_FORMAT, autodetect: true });
    const relaxed = await load('relaxed', 'b.json', file, {
      ...JSON_FORMAT,
      autodetect: true,
      schemaUpdateOptions: ['ALLOW_FIELD_RELAXATION'],
    });

    expect(refused.job?.status.errorResult).toBeDefined();
    expect(relaxed.job?.status.errorResult).toBeUndefined();
    // `id` was filled in every row: it stays REQUIRED.
    expect(await schema()).toEqual(['id:REQUIRED', 'name:NULLABLE']);
    expect(await h.server.query('SELECT id, name FROM raw.people')).toEqual([
      { id: 1, name: null },
    ]);
  });

  it('relaxes a field a declared schema makes NULLABLE', async () => {
    const relaxed = await load('declared', 'a.json', '{"id":1,"name":"a"}\n', {
      ...JSON_FORMAT,
      schema: {
        fields: [
          { name: 'id', type: 'INT64', mode: 'REQUIRED' },
          { name: 'name', type: 'STRING' },
        ],
      },
      schemaUpdateOptions: ['ALLOW_FIELD_RELAXATION'],
    });

    expect(relaxed.job?.status.errorResult).toBeUndefined();
    expect(await schema()).toEqual(['id:REQUIRED', 'name:NULLABLE']);
  });
});

describe('autodetect into an existing table', () => {
  it('skips a CSV header and maps its columns by name', async () => {
    const job = await load('csv', 'a.csv', 'name,id\nann,1\nbob,2\n', { autodetect: true });

    expect(job.job?.status.errorResult).toBeUndefined();
    expect(await h.server.query('SELECT id, name FROM raw.people ORDER BY id')).toEqual([
      { id: 1, name: 'ann' },
      { id: 2, name: 'bob' },
    ]);
  });

  it('loads NEWLINE_DELIMITED_JSON by field name with the table types', async () => {
    const job = await load('json', 'a.json', '{"name":"ann","id":"1"}\n', {
      ...JSON_FORMAT,
      autodetect: true,
    });

    expect(job.job?.status.errorResult).toBeUndefined();
    expect(await h.server.query('SELECT id, name FROM raw.people')).toEqual([
      { id: 1, name: 'ann' },
    ]);
  });
});
