import { objectJobId } from '../../../src/core/job-id';
import { finishJobFromEvent, type JobEventDeps } from '../../../src/outcomes/job-event';
import type { ObjectRef } from '../../../src/types';
import { rulesFrom } from '../routing/rules';

const RULES = `
location: EU
routes:
  - name: sales
    match: gs://landing/sales/*.csv
    destination: raw.sales
    onSuccess: { action: delete }
`;
const LIVE_GEN = '200';
const JOB = objectJobId({
  bucket: 'landing',
  name: 'sales/a.csv',
  generation: LIVE_GEN,
  route: 'sales',
});

function doneJob(overrides: Record<string, unknown> = {}) {
  return {
    status: { state: 'DONE' },
    statistics: { load: { outputRows: '5' } },
    configuration: {
      labels: { 'bq-autoloader-route': 'sales' },
      load: {
        sourceUris: ['gs://landing/sales/a.csv'],
        destinationTable: { projectId: 'p', datasetId: 'raw', tableId: 'sales' },
      },
    },
    ...overrides,
  };
}

function deps(job: unknown, live: ObjectRef | undefined) {
  const d = {
    getJob: jest.fn(async () => job),
    getLiveObject: jest.fn(async () => live),
    getObject: jest.fn(async () => live),
    markers: { write: jest.fn(async () => ({ kind: 'written' as const, metageneration: '2' })) },
    actions: { apply: jest.fn(async () => 'deleted' as const) },
    runtimeProject: async () => 'p',
  };
  return d satisfies JobEventDeps;
}

function liveObject(generation: string, metadata: Record<string, string> = {}): ObjectRef {
  return {
    bucket: 'landing',
    name: 'sales/a.csv',
    generation,
    metageneration: '1',
    size: 1,
    metadata,
  };
}

describe('finishJobFromEvent', () => {
  it('finishes the live generation whose job id is this job’s, before any marker, in the rules’ location', async () => {
    const d = deps(doneJob(), liveObject(LIVE_GEN));
    const outcome = await finishJobFromEvent(d, await rulesFrom(RULES), {
      projectId: 'p',
      jobId: JOB,
    });
    expect(d.getJob).toHaveBeenCalledWith('p', JOB, 'EU');
    expect(outcome).toMatchObject({
      severity: 'INFO',
      fields: {
        outcome: 'finished',
        state: 'loaded',
        rows: '5',
        finished: 'written',
        action: 'deleted',
      },
    });
    expect(d.markers.write).toHaveBeenCalledWith(
      expect.objectContaining({ generation: LIVE_GEN }),
      expect.objectContaining({ state: 'loaded', rows: '5' }),
    );
  });

  it('finishes a generation whose marker names the job (batch members, other ids)', async () => {
    const marked = liveObject('300', {
      'bq-autoloader-job': 'bqal_batch_x',
      'bq-autoloader-state': 'submitted',
    });
    const d = deps(doneJob(), marked);
    const outcome = await finishJobFromEvent(d, await rulesFrom(RULES), {
      projectId: 'p',
      jobId: 'bqal_batch_x',
    });
    expect(outcome.fields).toMatchObject({
      finished: 'written',
      object: 'gs://landing/sales/a.csv#300',
    });
  });

  it('leaves a newer generation alone: neither marked nor acted on', async () => {
    const d = deps(doneJob(), liveObject('999'));
    const outcome = await finishJobFromEvent(d, await rulesFrom(RULES), {
      projectId: 'p',
      jobId: JOB,
    });
    expect(outcome.fields).toMatchObject({ state: 'loaded', finished: 'gone', action: 'skipped' });
    expect(d.markers.write).not.toHaveBeenCalled();
    expect(d.actions.apply).not.toHaveBeenCalled();
  });

  it('reports a failed job at ERROR with its errors', async () => {
    const failed = doneJob({
      status: {
        state: 'DONE',
        errorResult: { reason: 'invalid', message: 'bad' },
        errors: [{ reason: 'invalid', message: 'row 1' }],
      },
    });
    const d = deps(failed, liveObject(LIVE_GEN));
    const outcome = await finishJobFromEvent(d, await rulesFrom(RULES), {
      projectId: 'p',
      jobId: JOB,
      location: 'US',
    });
    expect(d.getJob).toHaveBeenCalledWith('p', JOB, 'US');
    expect(outcome).toMatchObject({
      severity: 'ERROR',
      fields: { state: 'failed', error: 'invalid: bad', errors: ['invalid: row 1'] },
    });
  });

  it.each([
    [
      'a job jobs.get does not show DONE',
      { status: { state: 'RUNNING' } },
      /not show the job DONE/,
    ],
    [
      'a job of a route no longer in the rules',
      doneJob({ configuration: { labels: { 'bq-autoloader-route': 'gone' } } }),
      /no route in the rules/,
    ],
  ])('ignores %s', async (_what, job, reason) => {
    const d = deps(job, liveObject(LIVE_GEN));
    const outcome = await finishJobFromEvent(d, await rulesFrom(RULES), {
      projectId: 'p',
      jobId: JOB,
    });
    expect(outcome.fields).toMatchObject({ outcome: 'ignored' });
    expect(String(outcome.fields.reason)).toMatch(reason);
    expect(d.markers.write).not.toHaveBeenCalled();
  });

  it('refuses a completion event for a job in another project, touching nothing', async () => {
    const d = deps(doneJob(), liveObject(LIVE_GEN));
    const outcome = await finishJobFromEvent(d, await rulesFrom(RULES), {
      projectId: 'evil',
      jobId: JOB,
    });
    expect(outcome).toMatchObject({
      severity: 'WARNING',
      fields: { outcome: 'refused', reason: expect.stringContaining('project evil') },
    });
    expect(d.getJob).not.toHaveBeenCalled();
    expect(d.markers.write).not.toHaveBeenCalled();
    expect(d.actions.apply).not.toHaveBeenCalled();
  });

  it('leaves an object alone when the job under its id loads elsewhere (a decoy)', async () => {
    const decoy = doneJob({
      configuration: {
        labels: { 'bq-autoloader-route': 'sales' },
        load: {
          sourceUris: ['gs://landing/sales/a.csv'],
          destinationTable: { projectId: 'p', datasetId: 'scratch', tableId: 'decoy' },
        },
      },
    });
    const d = deps(decoy, liveObject(LIVE_GEN));
    const outcome = await finishJobFromEvent(d, await rulesFrom(RULES), {
      projectId: 'p',
      jobId: JOB,
    });
    expect(outcome.fields).toMatchObject({ finished: 'foreign', action: 'skipped' });
    expect(d.markers.write).not.toHaveBeenCalled();
    expect(d.actions.apply).not.toHaveBeenCalled();
  });

  it('plans an object against the route its job names, even behind an earlier route for other inputs', async () => {
    const rules = await rulesFrom(`
location: EU
allow: { topics: [projects/p/topics/t] }
routes:
  - name: replay
    match: gs://landing/sales/*.csv
    destination: raw.replayed
    accepts: [request]
  - name: sales
    match: gs://landing/sales/*.csv
    destination: raw.sales
    onSuccess: { action: delete }
`);
    const d = deps(doneJob(), liveObject(LIVE_GEN));
    const outcome = await finishJobFromEvent(d, rules, { projectId: 'p', jobId: JOB });
    expect(outcome).toMatchObject({ severity: 'INFO', fields: { finished: 'written' } });
  });
});

describe('finishJobFromEvent for a snapshot route (route option snapshot)', () => {
  const SNAPSHOT_RULES = `
location: EU
routes:
  - name: sales
    match: gs://landing/sales/*.csv
    destination: raw.sales
    snapshot: true
    onSuccess: { action: delete }
`;
  const snapshotUri = `gs://landing/.bq-autoloader/snapshots/${JOB}/sales/a.csv`;
  const reading = (uri: string) =>
    doneJob({
      configuration: {
        ...doneJob().configuration,
        load: { ...doneJob().configuration.load, sourceUris: [uri] },
      },
    });

  it('finishes the original behind the snapshot (marker, post-load action), then deletes the snapshot', async () => {
    const d = { ...deps(reading(snapshotUri), liveObject(LIVE_GEN)), discardSnapshot: jest.fn() };
    const outcome = await finishJobFromEvent(d, await rulesFrom(SNAPSHOT_RULES), {
      projectId: 'p',
      jobId: JOB,
    });
    expect(outcome.fields).toMatchObject({
      object: `${snapshotUri}#${LIVE_GEN}`,
      finished: 'written',
      action: 'deleted',
    });
    expect(d.getLiveObject).toHaveBeenCalledWith('landing', 'sales/a.csv');
    expect(d.actions.apply).toHaveBeenCalledWith(
      { action: 'delete' },
      { bucket: 'landing', name: 'sales/a.csv', generation: LIVE_GEN },
    );
    expect(d.discardSnapshot).toHaveBeenCalledWith({
      bucket: 'landing',
      name: `.bq-autoloader/snapshots/${JOB}/sales/a.csv`,
    });
  });

  it('deletes the snapshot even when the original was overwritten since (nothing else touched)', async () => {
    const d = { ...deps(reading(snapshotUri), liveObject('999')), discardSnapshot: jest.fn() };
    const outcome = await finishJobFromEvent(d, await rulesFrom(SNAPSHOT_RULES), {
      projectId: 'p',
      jobId: JOB,
    });
    expect(outcome.fields).toMatchObject({ finished: 'gone', action: 'skipped' });
    expect(d.markers.write).not.toHaveBeenCalled();
    expect(d.discardSnapshot).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['the object itself (not the planned snapshot)', 'gs://landing/sales/a.csv'],
    ['another job id’s snapshot', 'gs://landing/.bq-autoloader/snapshots/bqal_sales_x/sales/a.csv'],
  ])('leaves the object alone for a job reading %s', async (_what, uri) => {
    const d = { ...deps(reading(uri), liveObject(LIVE_GEN)), discardSnapshot: jest.fn() };
    const outcome = await finishJobFromEvent(d, await rulesFrom(SNAPSHOT_RULES), {
      projectId: 'p',
      jobId: JOB,
    });
    expect(outcome.fields).toMatchObject({ finished: 'foreign', action: 'skipped' });
    expect(d.markers.write).not.toHaveBeenCalled();
    expect(d.actions.apply).not.toHaveBeenCalled();
    expect(d.discardSnapshot).not.toHaveBeenCalled();
  });

  it('finishes a retry attempt (<id>_a2, marked on the object) that read its own snapshot', async () => {
    const attempt = `${JOB}_a2`;
    const uri = `gs://landing/.bq-autoloader/snapshots/${attempt}/sales/a.csv`;
    const live = liveObject(LIVE_GEN, {
      'bq-autoloader-job': attempt,
      'bq-autoloader-state': 'claimed',
    });
    const d = { ...deps(reading(uri), live), discardSnapshot: jest.fn() };
    const outcome = await finishJobFromEvent(d, await rulesFrom(SNAPSHOT_RULES), {
      projectId: 'p',
      jobId: attempt,
    });
    expect(outcome.fields).toMatchObject({ finished: 'written', action: 'deleted' });
    expect(d.discardSnapshot).toHaveBeenCalledTimes(1);
  });

  it('leaves the object alone for a plain route whose job reads a snapshot', async () => {
    const d = { ...deps(reading(snapshotUri), liveObject(LIVE_GEN)), discardSnapshot: jest.fn() };
    const outcome = await finishJobFromEvent(d, await rulesFrom(RULES), {
      projectId: 'p',
      jobId: JOB,
    });
    expect(outcome.fields).toMatchObject({ finished: 'foreign', action: 'skipped' });
    expect(d.actions.apply).not.toHaveBeenCalled();
  });
});
