/**
 * Issue 13 item 7: a sweep whose jobs.insert BigQuery refused (a 4xx other than 409: no job)
 * releases the claims it wrote for that job, each cleared under the metageneration of its
 * own claim. After a timeout or a 5xx the insert may still land, so the claims stay for
 * recovery, which submits them again under the same job id.
 */
import { parseConfig } from '../../../src/config/parse';
import { PermanentError, RetryableError } from '../../../src/errors';
import type { ListedObject } from '../../../src/gcp/storage/listing';
import { compileRules } from '../../../src/routing/compile';
import { runSweep, type SweepDeps } from '../../../src/sweep/run';
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

function setup(
  names: string[] | ListedObject[],
  insertError: Error | undefined,
  job: unknown | 'unreachable' = undefined,
) {
  const asked: string[] = [];
  const inserted: string[] = [];
  const objects = names.map((n) => (typeof n === 'string' ? listed(n) : n));
  const { markers, writes, cleared } = recordingMarkers();
  const deps: SweepDeps = {
    rules,
    runtimeProject: 'proj',
    lister: listerOf(objects),
    markers,
    insertJob: async (plan) => {
      inserted.push(plan.jobId);
      if (insertError) throw insertError;
      return { outcome: 'submitted' };
    },
    findJob: async (_project, jobId) => {
      asked.push(jobId);
      if (job === 'unreachable') throw new RetryableError('BigQuery: HTTP 503');
      return job;
    },
    now: () => Date.parse('2026-11-28T12:00:00Z'),
    runToken: 'run1',
  };
  return { deps, writes, cleared, asked, inserted };
}

const refused = new PermanentError('jobs.insert: HTTP 400 invalid', {
  status: 400,
  reason: 'invalid',
});
const unavailable = new RetryableError('jobs.insert: HTTP 503 backendError', { status: 503 });

describe('a sweep whose insert failed', () => {
  it('clears the claims of a batch BigQuery refused (4xx), under each claim’s metageneration', async () => {
    const { deps, writes, cleared, asked } = setup(['events/a.ndjson', 'events/b.ndjson'], refused);
    const summary = await runSweep(deps, { routes: ['events'], minAgeSeconds: 0 });
    expect(writes.map(([t, m]) => [t.name, m.state])).toEqual([
      ['events/a.ndjson', 'claimed'],
      ['events/b.ndjson', 'claimed'],
    ]);
    expect(cleared.map((t) => [t.name, t.generation, t.metageneration]).sort()).toEqual([
      ['events/a.ndjson', '7', '2'],
      ['events/b.ndjson', '7', '2'],
    ]);
    expect(asked).toEqual([]); // a 4xx created nothing: no need to ask
    // The job counts as refused (the CLI reports it and exits 1), the objects as not refused.
    expect(summary).toMatchObject({ released: 2, markerFailures: 0, refusedJobs: 1, refused: 0 });
    expect(summary.jobs.map((j) => [j.outcome, j.reason])).toEqual([['refused', refused.message]]);
  });

  it('clears the claim of a catch-up load BigQuery refused', async () => {
    const { deps, cleared } = setup(['sales/a.csv'], refused);
    const summary = await runSweep(deps, { routes: ['sales'], minAgeSeconds: 0 });
    expect(cleared.map((t) => [t.name, t.metageneration])).toEqual([['sales/a.csv', '2']]);
    expect(summary.released).toBe(1);
  });

  it.each([
    ['a 5xx that outlasted the retries', unavailable],
    [
      'a timeout',
      new RetryableError('jobs.insert: timeout after 30000 ms', { reason: 'ETIMEDOUT' }),
    ],
    ['a 429', new RetryableError('jobs.insert: HTTP 429 rateLimitExceeded', { status: 429 })],
  ])(
    'keeps the claims after %s, even when jobs.get finds no job (the insert may still land)',
    async (_what, error) => {
      const { deps, cleared, writes } = setup(['events/a.ndjson'], error, undefined);
      const summary = await runSweep(deps, { routes: ['events'], minAgeSeconds: 0 });
      expect(cleared).toEqual([]);
      expect(writes.map(([, m]) => m.state)).toEqual(['claimed']);
      expect(summary).toMatchObject({ released: 0, error: error.message });
      expect(summary.jobs.map((j) => j.outcome)).toEqual(['retry']);
    },
  );

  it('leaves those claims to recovery, which submits them again under the same job id', async () => {
    const first = setup(['events/a.ndjson', 'events/b.ndjson'], unavailable);
    const failed = await runSweep(first.deps, { routes: ['events'], minAgeSeconds: 0 });
    const jobId = failed.jobs[0]?.jobId ?? '';
    const claimed = { 'bq-autoloader-job': jobId, 'bq-autoloader-state': 'claimed' };
    const next = setup(
      [listed('events/a.ndjson', claimed), listed('events/b.ndjson', claimed)],
      undefined,
    );
    next.deps.claimGraceSeconds = 0;
    const summary = await runSweep(next.deps, { routes: ['events'], minAgeSeconds: 0 });
    expect(next.inserted).toEqual([jobId]);
    expect(summary.jobs.map((j) => [j.kind, j.jobId, j.files])).toEqual([['recovery', jobId, 2]]);
  });

  it.each([
    ['the job exists after all (the insert landed, its answer was lost)', { id: 'x' }],
    ['jobs.get cannot answer either', 'unreachable' as const],
  ])('keeps the claims when %s', async (_what, job) => {
    const { deps, cleared, writes } = setup(['events/a.ndjson'], unavailable, job);
    const summary = await runSweep(deps, { routes: ['events'], minAgeSeconds: 0 });
    expect(cleared).toEqual([]);
    expect(writes.map(([, m]) => m.state)).toEqual(['claimed']);
    expect(summary).toMatchObject({ released: 0, error: unavailable.message });
  });

  it('keeps a 409 (a job under the id that is not this load) as failed, never released', async () => {
    const foreign = new PermanentError('job exists but is not this load', {
      status: 409,
      reason: 'foreignJob',
    });
    const { deps, cleared, writes } = setup(['events/a.ndjson'], foreign);
    const summary = await runSweep(deps, { routes: ['events'], minAgeSeconds: 0 });
    expect(cleared).toEqual([]);
    expect(writes.map(([, m]) => m.state)).toEqual(['claimed', 'failed']);
    expect(summary.released).toBe(0);
  });
});
