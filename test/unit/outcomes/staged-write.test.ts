import { loadJobIdOfQuery } from '../../../src/core/job-id';
import { PermanentError } from '../../../src/errors';
import type { QueryJob, StagedCalls } from '../../../src/gcp/bigquery/staged-calls';
import { finishStagedWrite, type StagedLoad } from '../../../src/outcomes/staged-write';
import type { TableFieldSchema } from '../../../src/types';

const target: StagedLoad = {
  projectId: 'p',
  location: 'EU',
  labels: { 'bq-autoloader-route': 'orders' },
  staged: {
    destination: { projectId: 'p', datasetId: 'sales', tableId: 'orders' },
    staging: { projectId: 'p', datasetId: 'stage', tableId: 'bqal_orders_1' },
    queryJobId: 'bqal_orders_1_q',
    dedupe: { key: ['id'], keep: 'latest', orderBy: 'ts' },
    create: { options: {} },
  },
};
const loaded = { state: 'loaded' as const, rows: '3', bytes: '90', errors: [] };
const fields: TableFieldSchema[] = [
  { name: 'id', type: 'INT64' },
  { name: 'ts', type: 'TIMESTAMP' },
];

/** A fake BigQuery holding jobs and tables, recording what the finisher asked. */
function fakeBigQuery(options: { dest?: TableFieldSchema[]; staging?: TableFieldSchema[] } = {}) {
  const jobs = new Map<
    string,
    {
      configuration: QueryJob['configuration'];
      status: Record<string, unknown>;
      statistics?: unknown;
    }
  >();
  const tables = new Map<string, TableFieldSchema[]>();
  const calls: string[] = [];
  const key = (t: { datasetId: string; tableId: string }) => `${t.datasetId}.${t.tableId}`;
  if (options.dest) tables.set('sales.orders', options.dest);
  tables.set('stage.bqal_orders_1', options.staging ?? fields);
  const staged: StagedCalls = {
    tableFields: async (t) => tables.get(key(t)),
    createTable: async (t, f) => {
      calls.push(`create ${key(t)}`);
      if (tables.has(key(t))) return 'exists';
      tables.set(key(t), f);
      return 'created';
    },
    patchFields: async (t, f) => {
      calls.push(`patch ${key(t)}`);
      tables.set(key(t), f);
    },
    deleteTable: async (t) => {
      calls.push(`delete ${key(t)}`);
      tables.delete(key(t));
    },
    dryRunFields: async () => fields,
    insertQuery: async (job, mismatch) => {
      calls.push(`insert ${job.jobReference.jobId}`);
      const existing = jobs.get(job.jobReference.jobId);
      if (existing) {
        const why = mismatch(existing);
        if (why) throw new PermanentError(`foreign: ${why}`, { status: 409, reason: 'foreignJob' });
        return { outcome: 'duplicate', job: existing };
      }
      const created = { configuration: job.configuration, status: { state: 'RUNNING' } };
      jobs.set(job.jobReference.jobId, created);
      return { outcome: 'submitted', job: created };
    },
  };
  const getJob = async (_p: string, id: string) => {
    const job = jobs.get(id);
    if (!job) throw new PermanentError('Not found: Job', { status: 404 });
    return job;
  };
  const finish = (id: string, dml: Record<string, string>, errorResult?: unknown) => {
    const job = jobs.get(id);
    if (!job) throw new Error(`no job ${id}`);
    job.status = { state: 'DONE', ...(errorResult ? { errorResult } : {}) };
    job.statistics = { query: { dmlStats: dml } };
  };
  return { deps: { staged, getJob }, jobs, tables, calls, finish };
}

describe('finishStagedWrite', () => {
  it('records a failed load as it is, without a query', async () => {
    const bq = fakeBigQuery({ dest: fields });
    const failed = { state: 'failed' as const, reason: 'invalid: bad row', errors: [] };
    expect(await finishStagedWrite(bq.deps, target, failed)).toBe(failed);
    expect(bq.calls).toEqual([]);
  });

  it('inserts the query once, reports running, then the query result, and drops staging only when DONE', async () => {
    const bq = fakeBigQuery({ dest: fields });
    expect(await finishStagedWrite(bq.deps, target, loaded)).toEqual({ state: 'running' });
    // A second finisher (completion event, redelivery, sweep) finds the query: no second insert.
    expect(await finishStagedWrite(bq.deps, target, loaded)).toEqual({ state: 'running' });
    expect(bq.calls).toEqual(['insert bqal_orders_1_q']);
    expect(bq.jobs.get('bqal_orders_1_q')?.configuration.query.query).toMatch(
      /^MERGE `p.sales.orders` AS T/,
    );
    bq.finish('bqal_orders_1_q', {
      insertedRowCount: '2',
      updatedRowCount: '1',
      deletedRowCount: '0',
    });
    expect(await finishStagedWrite(bq.deps, target, loaded)).toEqual({
      state: 'loaded',
      rows: '2',
      updated: '1',
      bytes: '90',
      queryJobId: 'bqal_orders_1_q',
      errors: [],
    });
    expect(bq.calls).toEqual(['insert bqal_orders_1_q', 'delete stage.bqal_orders_1']);
    // After the staging table is gone, a late finisher still reads the same result.
    expect(await finishStagedWrite(bq.deps, target, loaded)).toMatchObject({
      state: 'loaded',
      rows: '2',
    });
  });

  it('records a failed query as the file failing, naming the query job', async () => {
    const bq = fakeBigQuery({ dest: fields });
    await finishStagedWrite(bq.deps, target, loaded);
    bq.finish('bqal_orders_1_q', {}, { reason: 'invalidQuery', message: 'Unrecognized name: x' });
    expect(await finishStagedWrite(bq.deps, target, loaded)).toMatchObject({
      state: 'failed',
      reason: 'query job bqal_orders_1_q failed: invalidQuery: Unrecognized name: x',
    });
  });

  it('creates a missing destination before the query', async () => {
    const bq = fakeBigQuery();
    await finishStagedWrite(bq.deps, target, loaded);
    expect(bq.calls).toEqual(['create sales.orders', 'insert bqal_orders_1_q']);
    expect(bq.tables.get('sales.orders')).toEqual(fields);
  });

  it('fails the file (and drops staging) when its columns do not fit, with no query', async () => {
    const bq = fakeBigQuery({
      dest: fields,
      staging: [...fields, { name: 'extra', type: 'STRING' }],
    });
    expect(await finishStagedWrite(bq.deps, target, loaded)).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('does not: extra'),
    });
    expect(bq.calls).toEqual(['delete stage.bqal_orders_1']);
  });

  it("refuses a job under the query id that is not this load's query", async () => {
    const bq = fakeBigQuery({ dest: fields });
    bq.jobs.set('bqal_orders_1_q', {
      configuration: {
        query: { query: 'DELETE FROM `p.sales.orders` WHERE true', useLegacySql: false },
        labels: {},
      },
      status: { state: 'DONE' },
    });
    // Recorded failed (never loaded), so a retry runs the load again under ids of its own.
    expect(await finishStagedWrite(bq.deps, target, loaded)).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/not this load's query: it does not write.*retry the load/),
    });
  });

  it('waits for the query when asked', async () => {
    const bq = fakeBigQuery({ dest: fields });
    let polls = 0;
    const getJob = async (p: string, id: string) => {
      polls += 1;
      if (polls === 3) bq.finish(id, { insertedRowCount: '3' });
      return bq.deps.getJob(p, id);
    };
    const result = await finishStagedWrite({ ...bq.deps, getJob }, target, loaded, {
      timeoutMs: 60_000,
      initialDelayMs: 1,
    });
    expect(result).toMatchObject({ state: 'loaded', rows: '3' });
  });

  it('runs the query again as <id>_q2 when it lost to a concurrent update (it committed nothing)', async () => {
    const bq = fakeBigQuery({ dest: fields });
    await finishStagedWrite(bq.deps, target, loaded);
    const conflict = 'Could not serialize access to table p:sales.orders due to concurrent update';
    bq.finish('bqal_orders_1_q', {}, { reason: 'invalidQuery', message: conflict });
    expect(await finishStagedWrite(bq.deps, target, loaded)).toEqual({ state: 'running' });
    expect(bq.calls).toEqual(['insert bqal_orders_1_q', 'insert bqal_orders_1_q2']);
    bq.finish('bqal_orders_1_q2', { insertedRowCount: '2', updatedRowCount: '0' });
    expect(await finishStagedWrite(bq.deps, target, loaded)).toMatchObject({
      state: 'loaded',
      rows: '2',
      queryJobId: 'bqal_orders_1_q2',
    });
    expect(loadJobIdOfQuery('bqal_orders_1_q2')).toBe('bqal_orders_1');
    expect(loadJobIdOfQuery('bqal_orders_1_a2_q')).toBe('bqal_orders_1_a2');
    expect(loadJobIdOfQuery('bqal_orders_1')).toBeUndefined();
  });

  it('records an empty file loaded with 0 rows, with no query', async () => {
    const bq = fakeBigQuery({ dest: fields });
    const empty = { state: 'loaded' as const, rows: '0', errors: [] };
    expect(await finishStagedWrite(bq.deps, target, empty)).toEqual(empty);
    expect(bq.calls).toEqual(['delete stage.bqal_orders_1']);
  });

  it('decides again on the table another finisher created meanwhile', async () => {
    const bq = fakeBigQuery();
    const createTable = bq.deps.staged.createTable;
    // Between this finisher's read (no table) and its insert, another one creates the table
    // with one column less: the query must write only what the table has.
    bq.deps.staged.createTable = async (t, f, o) => {
      bq.tables.set('sales.orders', [
        { name: 'id', type: 'INT64' },
        { name: 'ts', type: 'TIMESTAMP' },
        { name: 'note', type: 'STRING' },
      ]);
      return createTable(t, f, o);
    };
    await finishStagedWrite(bq.deps, target, loaded);
    expect(bq.calls).toEqual(['create sales.orders', 'insert bqal_orders_1_q']);
    expect(bq.tables.get('sales.orders')?.map((f) => f.name)).toEqual(['id', 'ts', 'note']);
  });

  it('records the result even when the staging table cannot be dropped (it expires)', async () => {
    const bq = fakeBigQuery({ dest: fields });
    bq.deps.staged.deleteTable = async () => {
      throw new PermanentError('Access Denied', { status: 403 });
    };
    await finishStagedWrite(bq.deps, target, loaded);
    bq.finish('bqal_orders_1_q', { insertedRowCount: '3' });
    expect(await finishStagedWrite(bq.deps, target, loaded)).toMatchObject({
      state: 'loaded',
      rows: '3',
    });
  });

  it('defers to the query another finisher inserted while its own plan was refused', async () => {
    const bq = fakeBigQuery({ dest: fields });
    bq.deps.staged.patchFields = async () => undefined;
    bq.deps.staged.dryRunFields = async () => fields;
    const tableFields = bq.deps.staged.tableFields;
    bq.deps.staged.tableFields = async (t) => {
      if (t.tableId === 'orders') {
        // The other finisher's query lands now; this one's read of the table is refused.
        bq.jobs.set('bqal_orders_1_q', {
          configuration: {
            query: {
              query: 'MERGE `p.sales.orders` AS T USING (SELECT 1 FROM `p.stage.bqal_orders_1`)',
              useLegacySql: false,
            },
            labels: target.labels,
          },
          status: { state: 'RUNNING' },
        });
        throw new PermanentError('Access Denied: table', { status: 403 });
      }
      return tableFields(t);
    };
    expect(await finishStagedWrite(bq.deps, target, loaded)).toEqual({ state: 'running' });
  });
});
