/**
 * Reconciliation finishes objects whose completion was never seen: `submitted` (sweeps) and
 * `claimed` (the event path claims before its insert and writes nothing after it).
 */
import { PermanentError, RetryableError } from '../../../src/errors';
import type { ListedObject } from '../../../src/gcp/storage/listing';
import { reconcileSubmitted } from '../../../src/outcomes/reconcile';
import { rulesFrom } from '../routing/rules';

const RULES = `
routes:
  - name: sales
    match: gs://landing/sales/*.csv
    destination: raw.sales
`;

function listed(name: string, jobId: string, state: string): ListedObject {
  return {
    bucket: 'landing',
    name,
    generation: '1',
    metageneration: '2',
    size: 1,
    metadata: { 'bq-autoloader-job': jobId, 'bq-autoloader-state': state },
  };
}

function doneJob(uri: string) {
  return {
    status: { state: 'DONE' },
    statistics: { load: { outputRows: '3' } },
    configuration: {
      labels: { 'bq-autoloader-route': 'sales' },
      load: {
        sourceUris: [uri],
        destinationTable: { projectId: 'p', datasetId: 'raw', tableId: 'sales' },
      },
    },
  };
}

function setup(objects: ListedObject[], jobs: Record<string, unknown>) {
  const byName = new Map(objects.map((o) => [o.name, o]));
  return {
    lister: {
      listObjects: async function* () {
        yield objects;
      },
      listBuckets: async function* () {},
    },
    getJob: jest.fn(async (_p: string, jobId: string) => {
      if (!(jobId in jobs)) throw new PermanentError('Not found: Job', { status: 404 });
      return jobs[jobId];
    }),
    getLiveObject: async (_b: string, name: string) => byName.get(name),
    getObject: async (p: { name: string }) => byName.get(p.name),
    markers: { write: jest.fn(async () => ({ kind: 'written' as const, metageneration: '3' })) },
    actions: { apply: async () => 'kept' as const },
    runtimeProject: async () => 'p',
  };
}

describe('reconcileSubmitted', () => {
  it('finishes claimed and submitted objects, and passes over a claim whose job does not exist', async () => {
    const rules = await rulesFrom(RULES);
    const deps = setup(
      [
        listed('sales/lost.csv', 'bqal_sales_lost', 'claimed'),
        listed('sales/a.csv', 'bqal_sales_a', 'claimed'),
        listed('sales/b.csv', 'bqal_sales_b', 'submitted'),
        listed('sales/c.csv', 'bqal_sales_c', 'loaded'),
      ],
      {
        bqal_sales_a: doneJob('gs://landing/sales/a.csv'),
        bqal_sales_b: doneJob('gs://landing/sales/b.csv'),
      },
    );
    const summary = await reconcileSubmitted(deps, rules, rules.routes, 'p');
    expect(summary).toEqual({ checked: 3, loaded: 2, failed: 0, running: 0, unsubmitted: 1 });
    expect(deps.getJob).not.toHaveBeenCalledWith('p', 'bqal_sales_c', expect.anything());
    expect(deps.markers.write).toHaveBeenCalledTimes(2);
  });

  it('passes over a submitted object whose job BigQuery no longer has, and goes on', async () => {
    const rules = await rulesFrom(RULES);
    const deps = setup(
      [
        listed('sales/b.csv', 'bqal_sales_b', 'submitted'),
        listed('sales/a.csv', 'bqal_sales_a', 'claimed'),
      ],
      { bqal_sales_a: doneJob('gs://landing/sales/a.csv') },
    );
    const summary = await reconcileSubmitted(deps, rules, rules.routes, 'p');
    expect(summary).toEqual({ checked: 2, loaded: 1, failed: 0, running: 0, unsubmitted: 1 });
  });

  it('stops on a retryable failure and reports it for the next sweep', async () => {
    const rules = await rulesFrom(RULES);
    const deps = setup([listed('sales/b.csv', 'bqal_sales_b', 'submitted')], {});
    deps.getJob.mockRejectedValueOnce(new RetryableError('BigQuery: HTTP 503'));
    const summary = await reconcileSubmitted(deps, rules, rules.routes, 'p');
    expect(summary.error).toBe('BigQuery: HTTP 503');
  });

  it('lists a failed batch job it reloaded without the files its errors name', async () => {
    const rules = await rulesFrom(RULES);
    const objects = ['a', 'b'].map((n) =>
      listed(`sales/${n}.csv`, 'bqal_sales_batch_x', 'submitted'),
    );
    const uris = objects.map((o) => `gs://landing/${o.name}`);
    const failed = {
      ...doneJob(uris[0] ?? ''),
      status: {
        state: 'DONE',
        errorResult: { reason: 'invalid', message: 'too many errors' },
        errors: [{ reason: 'invalid', location: uris[1], message: 'too many errors' }],
      },
    };
    failed.configuration.load.sourceUris = uris;
    const deps = {
      ...setup(objects, { bqal_sales_batch_x: failed }),
      insertJob: jest.fn(async () => ({ outcome: 'submitted' as const, job: {} })),
    };
    const summary = await reconcileSubmitted(deps, rules, rules.routes, 'p');
    expect(summary).toMatchObject({
      checked: 1,
      failed: 1,
      reloads: [
        {
          jobId: 'bqal_sales_batch_x',
          reloadJobId: expect.stringMatching(/^bqal_sales_reload_/),
          quarantined: [uris[1]],
        },
      ],
    });
  });
});
