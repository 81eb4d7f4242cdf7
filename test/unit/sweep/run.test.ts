/**
 * runSweep with fake edges: how a run ends when Cloud Storage or BigQuery fails, and what
 * recovery does with a claim. The end-to-end runs are in test/integration/sweep.test.ts.
 */
import { parseConfig } from '../../../src/config/parse';
import { objectJobId } from '../../../src/core/job-id';
import { PermanentError, RetryableError } from '../../../src/errors';
import type { ListedObject } from '../../../src/gcp/storage/listing';
import { compileRules } from '../../../src/routing/compile';
import { runSweep, type SweepDeps } from '../../../src/sweep/run';
import type { LoadPlan } from '../../../src/types';
import { listed, listerOf, recordingMarkers } from './fakes';

const rules = compileRules(
  parseConfig(
    `routes:
  - { name: sales, match: "gs://landing/sales/*.csv", destination: raw.sales, schema: autodetect }
  - { name: events, match: "gs://landing/events/*.ndjson", destination: raw.events, schema: autodetect, mode: batch }
`,
    'test.yaml',
  ) as Parameters<typeof compileRules>[0],
);

const NOW = Date.parse('2026-11-28T12:00:00Z');

/** A DONE job as jobs.get answers it, loading `sources` into `table` for `route`. */
function doneJob(route: string, table: string, sources: string[]) {
  const [projectId, datasetId, tableId] = table.split('.');
  return {
    status: { state: 'DONE' },
    configuration: {
      labels: { 'bq-autoloader-route': route },
      load: { destinationTable: { projectId, datasetId, tableId }, sourceUris: sources },
    },
  };
}

function setup(objects: ListedObject[], over: Partial<SweepDeps> = {}) {
  const inserted: LoadPlan[] = [];
  const { markers, writes: marks } = recordingMarkers();
  const deps: SweepDeps = {
    rules,
    runtimeProject: 'proj',
    lister: listerOf(objects),
    markers,
    insertJob: async (plan) => {
      inserted.push(plan);
      return { outcome: 'submitted' };
    },
    findJob: async () => undefined,
    now: () => NOW,
    runToken: 'run1',
    ...over,
  };
  return { deps, inserted, marks };
}

describe('a sweep run that meets a failure', () => {
  it('skips a prefix whose listing Cloud Storage refuses for good and sweeps the others', async () => {
    const refused = new PermanentError('Cloud Storage list gs://landing/events/: HTTP 403');
    const { deps, inserted } = setup([], {
      lister: {
        listObjects: async function* (_bucket, prefix) {
          if (prefix.startsWith('events')) throw refused;
          yield [listed('sales/a.csv')];
        },
        listBuckets: async function* () {
          yield ['landing'];
        },
      },
    });
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(summary.skipped).toEqual([refused.message]);
    expect(summary.error).toBeUndefined();
    expect(inserted.map((p) => p.object)).toEqual(['gs://landing/sales/a.csv']);
  });

  it.each([['retryable', new RetryableError('Cloud Storage list gs://landing/events/: HTTP 503')]])(
    'stops on a %s listing failure and reports it instead of throwing',
    async (_kind, error) => {
      const { deps, inserted } = setup([], {
        lister: {
          listObjects: async function* () {
            yield* [];
            throw error;
          },
          listBuckets: async function* () {
            yield ['landing'];
          },
        },
      });
      const summary = await runSweep(deps, { minAgeSeconds: 0 });
      expect(summary.error).toBe(error.message);
      expect(inserted).toEqual([]);
    },
  );

  it('stops on a claim Cloud Storage forbids and reports it instead of throwing', async () => {
    const { deps, inserted } = setup([listed('events/a.ndjson'), listed('events/b.ndjson')], {
      markers: {
        write: async () => {
          throw new PermanentError('Cloud Storage patch gs://landing/events/a.ndjson: HTTP 403');
        },
      },
    });
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(summary.error).toContain('HTTP 403');
    expect(inserted).toEqual([]);
  });

  it('still throws an unexpected error (the command is redelivered)', async () => {
    const { deps } = setup([listed('events/a.ndjson')], {
      insertJob: async () => {
        throw new TypeError('bug');
      },
    });
    await expect(runSweep(deps, { minAgeSeconds: 0 })).rejects.toThrow('bug');
  });
});

describe('catch-up', () => {
  it('stops at the first retryable insert failure instead of trying every object', async () => {
    let attempts = 0;
    const { deps, marks } = setup(
      [listed('sales/a.csv'), listed('sales/b.csv'), listed('sales/c.csv')],
      {
        insertJob: async () => {
          attempts += 1;
          throw new RetryableError('BigQuery: HTTP 503');
        },
      },
    );
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(attempts).toBe(1);
    expect(summary.error).toBe('BigQuery: HTTP 503');
    expect(summary.jobs.map((j) => j.outcome)).toEqual(['retry']);
    // Only the claim of the one attempted object: a later sweep catches it up.
    expect(marks.map(([t, m]) => [t.name, m.state])).toEqual([['sales/a.csv', 'claimed']]);
  });

  it('claims each object before its insert, as the event path does, and marks it submitted after', async () => {
    const { deps, marks } = setup([listed('sales/a.csv'), listed('sales/b.csv')]);
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(summary.error).toBeUndefined();
    expect(marks.map(([t, m]) => [t.name, t.metageneration, m.state])).toEqual([
      ['sales/a.csv', '1', 'claimed'],
      ['sales/a.csv', '2', 'submitted'],
      ['sales/b.csv', '1', 'claimed'],
      ['sales/b.csv', '2', 'submitted'],
    ]);
  });

  it('leaves an object that changed since the listing (412 on the claim) to its event', async () => {
    const { deps, inserted } = setup([listed('sales/a.csv')], {
      markers: { write: async () => ({ kind: 'conflict' }) },
    });
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(inserted).toEqual([]);
    expect(summary.jobs.map((j) => j.outcome)).toEqual(['not-claimed']);
  });
});

describe('catch-up of an abandoned per-object claim', () => {
  const claimedBy = (jobId: string, updated: string) => ({
    ...listed('sales/claimed.csv', {
      'bq-autoloader-job': jobId,
      'bq-autoloader-state': 'claimed',
    }),
    updated,
  });
  const ownId = objectJobId({
    bucket: 'landing',
    name: 'sales/claimed.csv',
    generation: '7',
    route: 'sales',
  });

  it('inserts again under the event’s own job id once the claim is older than the grace period and no job has it', async () => {
    const { deps, inserted, marks } = setup([claimedBy(ownId, '2026-11-28T10:00:00Z')]);
    await runSweep(deps, { minAgeSeconds: 0 });
    expect(inserted.map((p) => p.jobId)).toEqual([ownId]);
    expect(marks.map(([, m]) => m.state)).toEqual(['claimed', 'submitted']);
  });

  it('leaves an old claim alone when the job under its id loads elsewhere (a decoy)', async () => {
    const { deps, inserted, marks } = setup([claimedBy(ownId, '2026-11-28T10:00:00Z')], {
      findJob: async () => doneJob('sales', 'evil.x.y', ['gs://landing/sales/claimed.csv']),
    });
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(inserted).toEqual([]);
    expect(marks).toEqual([]);
    expect(summary.jobs.map((j) => j.outcome)).toEqual(['refused']);
  });

  it('marks an old claim whose job exists as submitted, without an insert or a job of the budget', async () => {
    const { deps, inserted, marks } = setup([claimedBy(ownId, '2026-11-28T10:00:00Z')], {
      findJob: async () => doneJob('sales', 'proj.raw.sales', ['gs://landing/sales/claimed.csv']),
    });
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(inserted).toEqual([]);
    expect(marks.map(([, m]) => m)).toEqual([{ jobId: ownId, state: 'submitted' }]);
    expect(summary.jobs.map((j) => j.outcome)).toEqual(['exists']);
    expect(summary.planned).toBe(0);
  });

  it.each([
    [
      'a claim within the grace period (its insert may be in flight)',
      ownId,
      '2026-11-28T11:59:00Z',
    ],
    ['a claim under another job id', 'bqal_other_x', '2026-11-28T10:00:00Z'],
  ])('leaves %s alone', async (_what, jobId, updated) => {
    const { deps, inserted } = setup([claimedBy(jobId, updated)]);
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(inserted).toEqual([]);
    expect(summary.marked).toBe(1);
  });
});

describe('recovery of a claim whose job exists', () => {
  const claimed = (name: string) =>
    listed(name, { 'bq-autoloader-job': 'bqal_batch_j', 'bq-autoloader-state': 'claimed' });

  it('marks the members the job reads as submitted and clears the claim of the others', async () => {
    const cleared: string[] = [];
    const { deps, marks, inserted } = setup(
      [claimed('events/a.ndjson'), claimed('events/b.ndjson'), claimed('events/c.ndjson')],
      {
        findJob: async () =>
          doneJob('events', 'proj.raw.events', [
            'gs://landing/events/a.ndjson',
            'gs://landing/events/c.ndjson',
          ]),
        claimGraceSeconds: 0,
      },
    );
    deps.markers.clear = async (target) => {
      cleared.push(target.name);
      return { kind: 'written', metageneration: '3' };
    };
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(summary.jobs).toEqual([
      expect.objectContaining({ kind: 'recovery', jobId: 'bqal_batch_j', outcome: 'exists' }),
    ]);
    expect(marks.map(([t, m]) => [t.name, m.jobId, m.state])).toEqual([
      ['events/a.ndjson', 'bqal_batch_j', 'submitted'],
      ['events/c.ndjson', 'bqal_batch_j', 'submitted'],
    ]);
    expect(cleared).toEqual(['events/b.ndjson']);
    expect(inserted).toEqual([]);
  });
});

describe('the per-table job budget', () => {
  it('charges catch-up loads to the table and defers the rest to the next run', async () => {
    // Per-object routes get the default budget: floor(1000 / 96) = 10 jobs per table per run.
    const missed = Array.from({ length: 14 }, (_, i) => listed(`sales/missed-${i}.csv`));
    const { deps, inserted } = setup(missed);
    const summary = await runSweep(deps, {});
    expect(inserted).toHaveLength(10);
    expect(summary.deferred).toBe(4);
    expect(summary.error).toBeUndefined();
  });
});

describe('a streamed sweep', () => {
  const small = (jobsPerDay: number) =>
    compileRules(
      parseConfig(
        `routes:
  - name: events
    match: "gs://landing/events/*.ndjson"
    destination: raw.events
    schema: autodetect
    mode: batch
    batch: { maxFiles: 2, jobsPerDay: ${jobsPerDay}, sweepsPerDay: 96 }
`,
        'test.yaml',
      ) as Parameters<typeof compileRules>[0],
    );

  it('submits a full chunk before it lists the next page', async () => {
    let insertedBeforePage2 = -1;
    const { deps, inserted } = setup([], { rules: small(960) });
    deps.lister = {
      listObjects: async function* () {
        yield ['a', 'b', 'c'].map((n) => listed(`events/${n}.ndjson`));
        insertedBeforePage2 = inserted.length;
        yield [listed('events/d.ndjson')];
      },
      listBuckets: async function* () {},
    };
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(insertedBeforePage2).toBe(1);
    expect(summary.jobs.map((j) => j.files)).toEqual([2, 2]);
  });

  it('gives an abandoned claim its job before a chunk sealed later in the listing', async () => {
    const claim = listed('events/0.ndjson', {
      'bq-autoloader-job': 'bqal_events_batch_old',
      'bq-autoloader-state': 'claimed',
    });
    // One job per run: the claim listed first must get it, though the new chunk seals first.
    const { deps, inserted } = setup(
      [claim, ...['a', 'b', 'c'].map((n) => listed(`events/${n}.ndjson`))],
      { rules: small(96) },
    );
    const summary = await runSweep(deps, { minAgeSeconds: 0 });
    expect(inserted.map((p) => p.jobId)).toEqual(['bqal_events_batch_old']);
    expect(summary).toMatchObject({ planned: 1, submitted: 1, deferred: 3 });
  });
});
