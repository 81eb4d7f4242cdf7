/**
 * A failed batch job whose errors name some of its files: the others are reloaded as one new
 * job (inserted first, under an id every finisher computes alike), their markers move to it,
 * and the named files are finished failed with their own errors. Against a stateful fake of
 * Cloud Storage (markers compare-and-set on the metageneration) and of BigQuery (409 on a
 * taken id, answered with the existing job as the real client does).
 */
import { reloadJobId, stagingTableId } from '../../../src/core/job-id';
import { PermanentError, RetryableError } from '../../../src/errors';
import { existingJob } from '../../../src/gcp/bigquery/client';
import type { StagedCalls } from '../../../src/gcp/bigquery/staged-calls';
import type { Marker, MarkerTarget } from '../../../src/gcp/storage/markers';
import { MAX_RELOADS } from '../../../src/outcomes/batch-reload';
import { finishJobFromEvent, type JobEventDeps } from '../../../src/outcomes/job-event';
import type { LoadPlan, ObjectPointer, ObjectRef } from '../../../src/types';
import { rulesFrom } from '../routing/rules';

const RULES = `
location: EU
routes:
  - name: feed
    match: gs://landing/feed/*.ndjson
    destination: raw.feed
    schema: { fields: [{ name: id, type: INTEGER }] }
    mode: batch
    onFailure: { action: move, to: gs://landing/quarantine/ }
`;
const BATCH = 'bqal_feed_batch_1';
const NAMES = ['feed/a.ndjson', 'feed/b.ndjson', 'feed/c.ndjson'];
const URIS = NAMES.map((n) => `gs://landing/${n}`);
const [A, B, C] = URIS as [string, string, string];
const TOO_MANY = `Error while reading data, error message: JSON table encountered too many errors, giving up. Rows: 1; errors: 1. Please look into the errors[] collection for more details.`;

function failedJob(errors: unknown[], labels: Record<string, string> = {}) {
  return {
    jobReference: { projectId: 'p', jobId: BATCH, location: 'EU' },
    status: { state: 'DONE', errorResult: { reason: 'invalid', message: TOO_MANY }, errors },
    configuration: {
      labels: { 'bq-autoloader-route': 'feed', ...labels },
      load: {
        sourceUris: URIS,
        sourceFormat: 'NEWLINE_DELIMITED_JSON',
        destinationTable: { projectId: 'p', datasetId: 'raw', tableId: 'feed' },
      },
    },
  };
}

const NAMING_B = [
  { reason: 'invalid', location: B, message: TOO_MANY },
  {
    reason: 'invalid',
    message: `Error while reading data, error message: bad; line_number: 1 File: ${B}`,
  },
];

/** Cloud Storage and BigQuery as far as the finisher sees them; `log` records the order of writes. */
function world(job: unknown) {
  const objects = new Map<string, ObjectRef>();
  for (const name of NAMES) {
    objects.set(name, {
      bucket: 'landing',
      name,
      generation: '10',
      metageneration: '2',
      size: 1,
      metadata: { 'bq-autoloader-job': BATCH, 'bq-autoloader-state': 'submitted' },
    });
  }
  const jobs = new Map<string, unknown>([[BATCH, job]]);
  const log: string[] = [];
  const markerOf = (name: string) => objects.get(name)?.metadata;
  const d = {
    getJob: jest.fn(async (_p: string, id: string) => {
      if (!jobs.has(id)) throw new PermanentError(`Not found: Job ${id}`, { status: 404 });
      return jobs.get(id);
    }),
    getLiveObject: async (_b: string, name: string) => objects.get(name),
    getObject: async (p: ObjectPointer) => {
      const o = objects.get(p.name);
      return o?.generation === p.generation ? o : undefined;
    },
    markers: {
      write: jest.fn(async (t: MarkerTarget, m: Marker) => {
        const o = objects.get(t.name);
        if (!o || o.generation !== t.generation) return { kind: 'gone' as const };
        if (o.metageneration !== t.metageneration) return { kind: 'conflict' as const };
        const metageneration = String(Number(o.metageneration) + 1);
        const metadata: Record<string, string> = {
          'bq-autoloader-job': m.jobId,
          'bq-autoloader-state': m.state,
          ...(m.error ? { 'bq-autoloader-error': m.error } : {}),
        };
        objects.set(t.name, { ...o, metageneration, metadata });
        log.push(`mark ${t.name} ${m.state}`);
        return { kind: 'written' as const, metageneration };
      }),
    },
    actions: {
      apply: jest.fn(async (action: { action: string } | undefined, o: { name: string }) => {
        if (action?.action !== 'move') return 'kept' as const;
        objects.delete(o.name);
        log.push(`move ${o.name}`);
        return 'moved' as const;
      }),
    },
    insertJob: jest.fn(async (plan: LoadPlan) => {
      log.push(`insert ${plan.jobId}`);
      if (jobs.has(plan.jobId)) return existingJob(plan, jobs.get(plan.jobId));
      jobs.set(plan.jobId, { ...plan.job, status: { state: 'RUNNING' } });
      return { outcome: 'submitted' as const, job: plan.job };
    }),
    runtimeProject: async () => 'p',
  };
  d satisfies JobEventDeps;
  return { d, objects, jobs, log, markerOf };
}

const finish = async (d: JobEventDeps) =>
  finishJobFromEvent(d, await rulesFrom(RULES), { projectId: 'p', jobId: BATCH });

const RELOAD = reloadJobId('feed', BATCH, [A, C]);

describe('a failed batch job whose errors name some of its files', () => {
  it('reloads the others first, moves their markers to the reload, then fails and quarantines the named file with its error', async () => {
    const w = world(failedJob(NAMING_B));
    const outcome = await finish(w.d);

    expect(w.d.insertJob).toHaveBeenCalledTimes(1);
    const plan = w.d.insertJob.mock.calls[0]?.[0] as LoadPlan;
    expect(plan.jobId).toBe(RELOAD);
    expect(plan.job).toEqual({
      jobReference: { projectId: 'p', jobId: RELOAD, location: 'EU' },
      configuration: {
        labels: { 'bq-autoloader-route': 'feed', 'bq-autoloader-reload': '1' },
        load: {
          sourceUris: [A, C],
          sourceFormat: 'NEWLINE_DELIMITED_JSON',
          destinationTable: { projectId: 'p', datasetId: 'raw', tableId: 'feed' },
        },
      },
    });
    expect(w.log).toEqual([
      `insert ${RELOAD}`,
      'mark feed/a.ndjson submitted',
      'mark feed/c.ndjson submitted',
      'mark feed/b.ndjson failed',
      'move feed/b.ndjson',
    ]);
    for (const name of ['feed/a.ndjson', 'feed/c.ndjson']) {
      expect(w.markerOf(name)).toEqual({
        'bq-autoloader-job': RELOAD,
        'bq-autoloader-state': 'submitted',
      });
    }
    expect(w.d.markers.write).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'feed/b.ndjson', generation: '10' }),
      { jobId: BATCH, state: 'failed', error: `invalid: ${TOO_MANY}` },
    );
    expect(outcome).toMatchObject({
      severity: 'ERROR',
      message: expect.stringContaining(`reload as ${RELOAD}`),
      fields: {
        state: 'failed',
        reload: 'submitted',
        reloadJobId: RELOAD,
        reloaded: 2,
        quarantined: [B],
        object: `${B}#10`,
        finished: 'written',
        action: 'moved',
      },
    });
  });

  it('a redelivery after a crash between the insert and the markers gets a 409 and the one reload job', async () => {
    const w = world(failedJob(NAMING_B));
    const write = w.d.markers.write.getMockImplementation();
    w.d.markers.write.mockImplementationOnce(async () => {
      throw new RetryableError('connection reset');
    });
    await expect(finish(w.d)).rejects.toThrow(RetryableError);
    expect([...w.jobs.keys()]).toEqual([BATCH, RELOAD]);
    expect(w.markerOf('feed/b.ndjson')).toMatchObject({ 'bq-autoloader-job': BATCH });

    w.d.markers.write.mockImplementation(write as never);
    const again = await finish(w.d);
    expect(again.fields).toMatchObject({
      reload: 'duplicate',
      reloadJobId: RELOAD,
      finished: 'written',
    });
    expect(w.markerOf('feed/a.ndjson')).toMatchObject({ 'bq-autoloader-job': RELOAD });
    expect(w.markerOf('feed/c.ndjson')).toMatchObject({ 'bq-autoloader-job': RELOAD });

    // And once more (a reconciling sweep, another redelivery): nothing new.
    const before = w.log.length;
    const third = await finish(w.d);
    expect(third.fields).toMatchObject({ reloadJobId: RELOAD });
    expect(w.log.slice(before)).toEqual([`insert ${RELOAD}`]);
    expect([...w.jobs.keys()]).toEqual([BATCH, RELOAD]);
  });

  it('after a crash between the markers and the failed file, the next finisher only finishes the named file', async () => {
    const w = world(failedJob(NAMING_B));
    w.d.actions.apply.mockImplementationOnce(async () => {
      throw new RetryableError('move failed');
    });
    await expect(finish(w.d)).rejects.toThrow(RetryableError);
    // The reload loaded its members meanwhile and an onSuccess moved one of them away.
    w.objects.delete('feed/a.ndjson');
    const before = w.log.length;
    const outcome = await finish(w.d);
    expect(outcome.fields).toMatchObject({
      reload: 'exists',
      reloadJobId: RELOAD,
      action: 'moved',
    });
    expect(w.log.slice(before)).toEqual(['move feed/b.ndjson']);
    expect([...w.jobs.keys()]).toEqual([BATCH, RELOAD]);
  });

  it(`stops after ${MAX_RELOADS} reloads: every member fails with the job`, async () => {
    const w = world(failedJob(NAMING_B, { 'bq-autoloader-reload': String(MAX_RELOADS) }));
    const outcome = await finish(w.d);
    expect(w.d.insertJob).not.toHaveBeenCalled();
    expect(outcome.fields).toMatchObject({ reload: expect.stringContaining('none') });
    for (const name of NAMES) {
      expect(w.markerOf(name)).toBeUndefined(); // moved to quarantine, all three
    }
  });

  it.each([
    [
      'errors naming no member (a missing dataset)',
      [{ reason: 'notFound', message: 'Not found: Dataset p:raw' }],
    ],
    [
      'errors naming every member',
      URIS.map((location) => ({ reason: 'invalid', location, message: 'bad' })),
    ],
    [
      'errors naming a file that is not a member',
      [{ reason: 'invalid', message: `bad File: ${A}.gz` }],
    ],
  ])('with %s: no reload, every member fails with the job', async (_what, errors) => {
    const w = world(failedJob(errors));
    const outcome = await finish(w.d);
    expect(w.d.insertJob).not.toHaveBeenCalled();
    expect(outcome.fields).not.toHaveProperty('reloadJobId');
    expect(w.log.filter((l) => l.startsWith('mark'))).toEqual(NAMES.map((n) => `mark ${n} failed`));
  });

  it('a remaining file overwritten since the job, before any reload: no reload, the others fail with the job', async () => {
    const w = world(failedJob(NAMING_B));
    w.objects.set('feed/c.ndjson', {
      ...(w.objects.get('feed/c.ndjson') as ObjectRef),
      generation: '11',
      metadata: {},
    });
    const outcome = await finish(w.d);
    expect(w.d.insertJob).not.toHaveBeenCalled();
    expect(outcome.fields).toMatchObject({
      reload: expect.stringMatching(/^refused: .*c\.ndjson changed/),
    });
    expect(w.markerOf('feed/c.ndjson')).toEqual({});
  });

  it('leaves a job finished whole before (its members already failed under it) as it is', async () => {
    const w = world(failedJob(NAMING_B));
    for (const name of NAMES) {
      const o = w.objects.get(name) as ObjectRef;
      w.objects.set(name, {
        ...o,
        metadata: { 'bq-autoloader-job': BATCH, 'bq-autoloader-state': 'failed' },
      });
    }
    const outcome = await finish(w.d);
    expect(w.d.insertJob).not.toHaveBeenCalled();
    expect(outcome.fields).toMatchObject({
      reload: expect.stringContaining('finished with the job before'),
    });
    expect(w.log.filter((l) => l.startsWith('mark'))).toEqual([]);
  });

  it('refuses a job under the reload id that is not the reload (a decoy): every member fails with the job', async () => {
    const w = world(failedJob(NAMING_B));
    w.jobs.set(RELOAD, {
      configuration: {
        load: {
          sourceUris: [A],
          destinationTable: { projectId: 'p', datasetId: 'x', tableId: 'y' },
        },
      },
    });
    const outcome = await finish(w.d);
    expect(outcome.fields).toMatchObject({
      reload: expect.stringMatching(/^refused: .*not this load/),
    });
    expect(w.log.filter((l) => l.startsWith('mark'))).toEqual(NAMES.map((n) => `mark ${n} failed`));
  });

  it('a reload that fails naming another file reloads again, one level deeper', async () => {
    const w = world(failedJob(NAMING_B));
    await finish(w.d);
    const reloadJob = w.jobs.get(RELOAD) as ReturnType<typeof failedJob>;
    w.jobs.set(RELOAD, {
      ...reloadJob,
      status: {
        state: 'DONE',
        errorResult: { reason: 'invalid', message: 'x' },
        errors: [{ reason: 'invalid', location: C, message: 'x' }],
      },
    });
    const outcome = await finishJobFromEvent(w.d, await rulesFrom(RULES), {
      projectId: 'p',
      jobId: RELOAD,
    });
    const second = reloadJobId('feed', RELOAD, [A]);
    expect(outcome.fields).toMatchObject({ reloadJobId: second, quarantined: [C] });
    const plan = w.d.insertJob.mock.calls[1]?.[0] as LoadPlan;
    expect(plan.job.configuration.labels).toMatchObject({ 'bq-autoloader-reload': '2' });
    expect(w.markerOf('feed/a.ndjson')).toMatchObject({ 'bq-autoloader-job': second });
  });
});

describe('a failed staged batch (docs/transforms.md)', () => {
  it('reloads the other files into a staging table of the reload id, which its finisher accepts', async () => {
    const staging = (jobId: string) => ({
      projectId: 'p',
      datasetId: 'bq_autoloader_staging',
      tableId: stagingTableId(jobId),
    });
    const job = failedJob(NAMING_B);
    job.configuration.load.destinationTable = staging(BATCH);
    const w = world(job);
    const d = { ...w.d, staged: {} as StagedCalls };
    const rules = await rulesFrom(`${RULES}    dedupe: { key: [id], keep: first }\n`);
    await finishJobFromEvent(d, rules, { projectId: 'p', jobId: BATCH });
    const plan = w.d.insertJob.mock.calls[0]?.[0] as LoadPlan;
    expect(plan.jobId).toBe(RELOAD);
    expect(plan.job.configuration.load.destinationTable).toEqual(staging(RELOAD));
    // The reload's own completion: its members are this load's, planned as the reload job.
    w.jobs.set(RELOAD, {
      ...plan.job,
      status: { state: 'DONE', errorResult: { reason: 'invalid', message: 'x' } },
    });
    const reloaded = await finishJobFromEvent(d, rules, { projectId: 'p', jobId: RELOAD });
    expect(reloaded.fields).toMatchObject({
      state: 'failed',
      objects: [`${A}#10:written:moved`, `${C}#10:written:moved`],
    });
  });
});
