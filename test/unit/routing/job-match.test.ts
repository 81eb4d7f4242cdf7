import { jobMismatch, targetMismatch } from '../../../src/routing/job-match';
import type { LoadPlan } from '../../../src/types';

const plan = {
  route: 'sales',
  projectId: 'p',
  location: 'EU',
  jobId: 'bqal_sales_1',
  object: 'gs://landing/sales/a.csv',
  job: {
    jobReference: { projectId: 'p', jobId: 'bqal_sales_1', location: 'EU' },
    configuration: {
      load: {
        destinationTable: { projectId: 'p', datasetId: 'raw', tableId: 'sales$20261101' },
        sourceUris: ['gs://landing/sales/a.csv'],
        sourceFormat: 'CSV',
      },
      labels: { 'bq-autoloader-route': 'sales' },
    },
  },
} as LoadPlan;

const job = (over: { load?: object; labels?: object } = {}) => ({
  status: { state: 'DONE' },
  configuration: {
    load: { ...plan.job.configuration.load, ...over.load },
    labels: { ...plan.job.configuration.labels, ...over.labels },
  },
});

describe('jobMismatch', () => {
  it('accepts the planned job, whatever its state', () => {
    expect(jobMismatch(job(), plan)).toBeUndefined();
  });

  it('accepts it whether or not jobs.get echoes the partition decorator back', () => {
    const echoed = job({
      load: { destinationTable: { projectId: 'p', datasetId: 'raw', tableId: 'sales' } },
    });
    expect(jobMismatch(echoed, plan)).toBeUndefined();
  });

  it.each([
    [
      'another destination',
      job({ load: { destinationTable: { projectId: 'evil', datasetId: 'x', tableId: 'y' } } }),
      'loads into evil.x.y, not p.raw.sales$20261101',
    ],
    [
      'other sources',
      job({ load: { sourceUris: ['gs://landing/decoy.csv'] } }),
      'reads other sources (gs://landing/decoy.csv)',
    ],
    ['another route label', job({ labels: { 'bq-autoloader-route': 'x' } }), 'label is x'],
    ['no configuration at all', {}, 'loads into no table'],
  ])('refuses a job with %s', (_what, existing, reason) => {
    expect(jobMismatch(existing, plan)).toContain(reason);
  });
});

describe('jobMismatch with a snapshot plan (route option snapshot)', () => {
  const snapshotUri = 'gs://landing/.bq-autoloader/snapshots/bqal_sales_1/sales/a.csv';
  const snapshotPlan = {
    ...plan,
    job: {
      ...plan.job,
      configuration: {
        ...plan.job.configuration,
        load: { ...plan.job.configuration.load, sourceUris: [snapshotUri] },
      },
    },
  } as LoadPlan;

  it('accepts a job reading the planned snapshot', () => {
    expect(jobMismatch(job({ load: { sourceUris: [snapshotUri] } }), snapshotPlan)).toBeUndefined();
  });

  it.each([
    ['the object itself (the live bytes)', 'gs://landing/sales/a.csv'],
    ['another job id’s snapshot', 'gs://landing/.bq-autoloader/snapshots/bqal_sales_2/sales/a.csv'],
    ['a snapshot in another bucket', 'gs://evil/.bq-autoloader/snapshots/bqal_sales_1/sales/a.csv'],
  ])('refuses a job reading %s', (_what, uri) => {
    const existing = job({ load: { sourceUris: [uri] } });
    expect(jobMismatch(existing, snapshotPlan)).toContain('reads other sources');
    // The destination and label alone (targetMismatch) do not tell them apart.
    expect(targetMismatch(existing, snapshotPlan)).toBeUndefined();
  });
});
