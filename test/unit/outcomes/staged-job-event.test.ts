/**
 * Completion events of staged loads (docs/transforms.md) through the job-event finisher: the
 * query job's event finishes its load, and a staging load the rules no longer stage is left
 * alone with a WARNING, never recorded as loaded.
 */
import { objectJobId, stagingTableId } from '../../../src/core/job-id';
import { PermanentError } from '../../../src/errors';
import type { StagedCalls } from '../../../src/gcp/bigquery/staged-calls';
import { finishJobFromEvent, type JobEventDeps } from '../../../src/outcomes/job-event';
import type { ObjectRef } from '../../../src/types';
import { rulesFrom } from '../routing/rules';

const ROUTE = `
location: EU
routes:
  - name: sales
    match: gs://landing/sales/*.csv
    destination: raw.sales
    schema: { fields: [{ name: id, type: INT64 }] }
`;
const STAGED = `${ROUTE}    dedupe: { key: [id], keep: first }\n`;
const LOAD = objectJobId({
  bucket: 'landing',
  name: 'sales/a.csv',
  generation: '200',
  route: 'sales',
});
const live: ObjectRef = {
  bucket: 'landing',
  name: 'sales/a.csv',
  generation: '200',
  metageneration: '1',
  size: 1,
  metadata: { 'bq-autoloader-job': LOAD, 'bq-autoloader-state': 'claimed' },
};
const loadJob = {
  status: { state: 'DONE' },
  statistics: { load: { outputRows: '2' } },
  configuration: {
    labels: { 'bq-autoloader-route': 'sales', 'bq-autoloader-bucket': 'landing' },
    load: {
      sourceUris: ['gs://landing/sales/a.csv'],
      destinationTable: {
        projectId: 'p',
        datasetId: 'bq_autoloader_staging',
        tableId: stagingTableId(LOAD),
      },
    },
  },
};
const queryJob = {
  status: { state: 'DONE' },
  statistics: { query: { dmlStats: { insertedRowCount: '2', updatedRowCount: '0' } } },
  configuration: {
    labels: loadJob.configuration.labels,
    query: {
      query: `MERGE \`p.raw.sales\` AS T USING (SELECT \`id\` FROM (SELECT \`id\` FROM \`p.bq_autoloader_staging.${stagingTableId(LOAD)}\`)) AS S`,
    },
  },
};

function deps() {
  const jobs: Record<string, unknown> = { [LOAD]: loadJob, [`${LOAD}_q`]: queryJob };
  const staged = {
    deleteTable: jest.fn(async () => undefined),
  } as unknown as StagedCalls;
  return {
    getJob: jest.fn(async (_p: string, id: string) => {
      if (!jobs[id]) throw new PermanentError('Not found: Job', { status: 404 });
      return jobs[id];
    }),
    getLiveObject: jest.fn(async () => live),
    getObject: jest.fn(async () => live),
    markers: { write: jest.fn(async () => ({ kind: 'written' as const, metageneration: '2' })) },
    actions: { apply: jest.fn(async () => 'kept' as const) },
    runtimeProject: async () => 'p',
    staged,
  } satisfies JobEventDeps;
}

describe('completion events of staged loads', () => {
  it("the query's event finishes its load with the query's rows and drops staging", async () => {
    const d = deps();
    const outcome = await finishJobFromEvent(d, await rulesFrom(STAGED), {
      projectId: 'p',
      jobId: `${LOAD}_q`,
    });
    expect(d.getJob).toHaveBeenCalledWith('p', LOAD, 'EU');
    expect(outcome).toMatchObject({
      severity: 'INFO',
      fields: {
        jobId: LOAD,
        state: 'loaded',
        rows: '2',
        queryJobId: `${LOAD}_q`,
        destination: 'p.raw.sales',
      },
    });
    expect(d.markers.write).toHaveBeenCalledWith(
      expect.objectContaining({ generation: '200' }),
      expect.objectContaining({ jobId: LOAD, state: 'loaded', rows: '2' }),
    );
    expect(d.staged.deleteTable).toHaveBeenCalled();
  });

  it('leaves a staging load alone, with a WARNING, when the route no longer stages', async () => {
    const d = deps();
    const outcome = await finishJobFromEvent(d, await rulesFrom(ROUTE), {
      projectId: 'p',
      jobId: LOAD,
    });
    expect(outcome).toMatchObject({
      severity: 'WARNING',
      message: expect.stringContaining('has no transform, dedupe or rescue now'),
    });
    expect(d.markers.write).not.toHaveBeenCalled();
  });
});
