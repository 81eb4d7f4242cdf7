/**
 * Issue 5: sweeps in-process against the local GCS and BigQuery servers (the same clients
 * the function uses, pointed at the servers by the environment). Rows are counted in DuckDB.
 */

import { PermanentError, RetryableError } from '../../src/errors';
import { createBigQueryClient } from '../../src/gcp/bigquery/client';
import { createLeaseStore, LEASE_NAME } from '../../src/gcp/storage/lease';
import { createObjectLister, type ObjectLister } from '../../src/gcp/storage/listing';
import {
  createMarkerWriter,
  MARKER_JOB,
  MARKER_STATE,
  type MarkerWriter,
} from '../../src/gcp/storage/markers';
import type { CompiledRules } from '../../src/routing/compile';
import { runSweep, type SweepDeps } from '../../src/sweep/run';
import type { SweepSummary } from '../../src/sweep/summary';
import type { LoadPlan } from '../../src/types';
import { type LocalStack, startLocalStack, TEST_PROJECT } from '../support/local-stack';
import { useMetadataEnv } from '../unit/gcp/metadata-env';
import { rulesFrom } from '../unit/routing/rules';

const BUCKET = 'landing-sweep';

const RULES = `
allow:
  topics: [projects/${TEST_PROJECT}/topics/requests]
routes:
${['bulk', 'race', 'crash', 'late', 'lost', 'budget', 'dry', 'leased']
  .map(
    (name) => `  - name: ${name}
    match: gs://${BUCKET}/${name}/**.ndjson
    destination: raw.${name}
    schema: { fields: [{ name: id, type: INTEGER }] }
    mode: batch
    batch: { maxFiles: ${name === 'budget' ? 10 : name === 'race' || name === 'leased' ? 50 : 500}, jobsPerDay: ${name === 'budget' ? 4 : 1000}, sweepsPerDay: ${name === 'budget' ? 2 : 96} }`,
  )
  .join('\n')}
  - name: requested
    match: gs://${BUCKET}/requested/*.ndjson
    destination: raw.requested
    accepts: [request]
  - name: single
    match: gs://${BUCKET}/single/*.ndjson
    destination: raw.single
    schema: { fields: [{ name: id, type: INTEGER }] }
`;

let stack: LocalStack;
let restoreEnv: () => void;
let rules: CompiledRules;
let bigquery: ReturnType<typeof createBigQueryClient>;

beforeAll(async () => {
  stack = await startLocalStack();
  restoreEnv = useMetadataEnv(stack.metadata.host, {
    BIGQUERY_EMULATOR_HOST: stack.env.BIGQUERY_EMULATOR_HOST ?? '',
    STORAGE_EMULATOR_HOST: stack.env.STORAGE_EMULATOR_HOST ?? '',
  });
  rules = await rulesFrom(RULES);
  bigquery = createBigQueryClient({ retry: { budgetMs: 500 } });
});

afterAll(async () => {
  restoreEnv?.();
  await stack?.close();
});

/** `count` one-row NDJSON files under `<route>/`, ids from `from`. */
function drop(route: string, count: number, from = 0): void {
  for (let i = from; i < from + count; i += 1) {
    const name = `${route}/d${String(i % 7)}/f${String(i).padStart(5, '0')}.ndjson`;
    stack.gcs.store.insert(BUCKET, name, Buffer.from(`{"id":${i}}\n`), {});
  }
}

function deps(overrides: Partial<SweepDeps> = {}): SweepDeps {
  return {
    rules,
    runtimeProject: TEST_PROJECT,
    lister: createObjectLister(),
    markers: createMarkerWriter(),
    insertJob: (plan) => bigquery.insertJob(plan),
    findJob: async (projectId, jobId, location) => {
      try {
        return await bigquery.getJob(projectId, jobId, location);
      } catch (error) {
        if (error instanceof PermanentError && error.status === 404) return undefined;
        throw error;
      }
    },
    ...overrides,
  };
}

function sweep(route: string, overrides: Partial<SweepDeps> = {}, dryRun = false) {
  return runSweep(deps(overrides), { routes: [route], minAgeSeconds: 0, dryRun });
}

async function waitForJobs(summary: SweepSummary): Promise<void> {
  for (const job of summary.jobs) {
    if (job.outcome === 'submitted' || job.outcome === 'duplicate') {
      const done = await stack.bigquery.waitForJob(TEST_PROJECT, job.jobId);
      expect(done.status).toMatchObject({ state: 'DONE' });
      expect(done.status).not.toHaveProperty('errorResult');
    }
  }
}

async function rows(table: string): Promise<{ n: number; distinct: number }> {
  const [row] = await stack.bigquery.query(
    `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS d FROM raw.${table}`,
  );
  return { n: Number(row?.n), distinct: Number(row?.d) };
}

function markersUnder(route: string): { job?: string; state?: string; metageneration: string }[] {
  const out: { job?: string; state?: string; metageneration: string }[] = [];
  let pageToken: string | undefined;
  do {
    const page = stack.gcs.store.list(BUCKET, { prefix: `${route}/`, pageToken });
    for (const o of page.items) {
      out.push({
        job: o.metadata?.[MARKER_JOB],
        state: o.metadata?.[MARKER_STATE],
        metageneration: o.metageneration,
      });
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('a sweep of a batch route', () => {
  it('loads 1,200 small files in the planned number of jobs (max files respected), every row exactly once', async () => {
    drop('bulk', 1200);

    const summary = await sweep('bulk');
    await waitForJobs(summary);

    expect(summary).toMatchObject({ listed: 1200, matched: 1200, planned: 3, submitted: 3 });
    expect(summary.jobs.map((j) => j.files)).toEqual([500, 500, 200]);
    expect(new Set(summary.jobs.map((j) => j.jobId)).size).toBe(3);
    expect(await rows('bulk')).toEqual({ n: 1200, distinct: 1200 });
    const marks = markersUnder('bulk');
    expect(marks.every((m) => m.state === 'submitted')).toBe(true);
    expect(new Set(marks.map((m) => m.job))).toEqual(new Set(summary.jobs.map((j) => j.jobId)));

    const again = await sweep('bulk');
    expect(again).toMatchObject({ matched: 1200, marked: 1200, planned: 0, submitted: 0 });
  });

  it('run twice concurrently puts no object in two jobs and loads every row exactly once', async () => {
    drop('race', 300);

    const [a, b] = await Promise.all([sweep('race'), sweep('race')]);
    await Promise.all([waitForJobs(a), waitForJobs(b)]);

    const submitted = [...a.jobs, ...b.jobs].filter((j) => j.outcome === 'submitted');
    expect(submitted.reduce((n, j) => n + j.files, 0)).toBe(300);
    expect(a.claimConflicts + b.claimConflicts).toBeGreaterThan(0);
    expect(await rows('race')).toEqual({ n: 300, distinct: 300 });
    const jobs = new Map<string, number>();
    for (const m of markersUnder('race')) jobs.set(m.job ?? '', (jobs.get(m.job ?? '') ?? 0) + 1);
    for (const job of submitted) expect(jobs.get(job.jobId)).toBe(job.files);
  });

  it('run twice concurrently with bucket leases: the second sweep leaves the bucket alone, nothing is split', async () => {
    drop('leased', 300);
    const leases = createLeaseStore();
    const real = createObjectLister();
    // Sweep A holds the lease and is paused at its first listing until sweep B has finished.
    const pausedUntil = (bFinished: Promise<void>, holding: () => void): ObjectLister => ({
      listBuckets: () => real.listBuckets(),
      listObjects: async function* (bucket, prefix) {
        holding();
        await bFinished;
        yield* real.listObjects(bucket, prefix);
      },
    });
    const tick = (token: string, lister?: ObjectLister) =>
      runSweep(deps({ leases, ...(lister ? { lister } : {}) }), {
        routes: ['leased'],
        minAgeSeconds: 0,
        dryRun: false,
        token,
      });

    for (const [tokenA, tokenB] of [
      ['scheduler-a', 'scheduler-b'], // two schedulers
      ['tick-7', 'tick-7'], // one tick delivered twice
    ] as const) {
      const b = signal();
      const holds = signal();
      const a = tick(tokenA, pausedUntil(b.promise, holds.resolve));
      await holds.promise;
      const bSummary = await tick(tokenB).finally(b.resolve);
      expect(bSummary).toMatchObject({ listed: 0, planned: 0, claimConflicts: 0 });
      expect(bSummary.busy).toEqual([
        expect.stringContaining(`gs://${BUCKET}: held by sweep ${tokenA}`),
      ]);
      const done = await a;
      expect(done.busy).toBeUndefined();
      expect(done.claimConflicts).toBe(0);
      await waitForJobs(done);
      // The lease is given back: the next tick sweeps (and finds everything marked).
      expect(() => stack.gcs.store.get(BUCKET, LEASE_NAME)).toThrow();
      if (tokenA === 'scheduler-a') {
        expect(done.jobs.map((j) => [j.outcome, j.files])).toEqual(
          Array.from({ length: 6 }, () => ['submitted', 50]),
        );
      }
    }
    expect(await rows('leased')).toEqual({ n: 300, distinct: 300 });
    const after = await tick('scheduler-c');
    expect(after).toMatchObject({ matched: 300, marked: 300, planned: 0 });
    expect(after.busy).toBeUndefined();
  });

  it('killed between claim and submit is completed by the next sweep, with the same job and rows exactly once', async () => {
    drop('crash', 50);
    const killed = (_plan: LoadPlan): Promise<never> => Promise.reject(new Error('killed'));

    await expect(sweep('crash', { insertJob: killed })).rejects.toThrow('killed');
    const claims = markersUnder('crash');
    expect(claims.every((m) => m.state === 'claimed')).toBe(true);
    const [jobId] = new Set(claims.map((m) => m.job));

    const early = await sweep('crash');
    expect(early).toMatchObject({ claimsInFlight: 50, submitted: 0 });

    const later = await sweep('crash', { claimGraceSeconds: 0 });
    await waitForJobs(later);
    expect(later.jobs).toEqual([
      expect.objectContaining({ kind: 'recovery', jobId, files: 50, outcome: 'submitted' }),
    ]);
    expect(await rows('crash')).toEqual({ n: 50, distinct: 50 });
    expect(markersUnder('crash').every((m) => m.state === 'submitted' && m.job === jobId)).toBe(
      true,
    );
  });

  it('killed after submit but before marking finds the job at recovery and only completes the markers', async () => {
    drop('late', 30);
    const real = createMarkerWriter();
    const failSubmittedMarks: MarkerWriter = {
      write: (target, marker) =>
        marker.state === 'submitted'
          ? Promise.reject(new Error('killed'))
          : real.write(target, marker),
    };

    const first = await sweep('late', { markers: failSubmittedMarks });
    await waitForJobs(first);
    expect(first).toMatchObject({ submitted: 1, markerFailures: 30 });

    const second = await sweep('late', { claimGraceSeconds: 0 });
    expect(second.jobs).toEqual([
      expect.objectContaining({ kind: 'recovery', jobId: first.jobs[0]?.jobId, outcome: 'exists' }),
    ]);
    expect(await rows('late')).toEqual({ n: 30, distinct: 30 });
    expect(markersUnder('late').every((m) => m.state === 'submitted')).toBe(true);
  });

  it('timed out on an insert that lands afterwards, loads every row exactly once', async () => {
    drop('lost', 20);
    // The insert's answer never comes within the retries, and the job appears only after
    // the sweep has ended (jobs.get answers 404 until then).
    const inFlight: LoadPlan[] = [];
    const timedOut = async (plan: LoadPlan): Promise<never> => {
      inFlight.push(plan);
      throw new RetryableError(`jobs.insert ${plan.jobId}: timeout`, { reason: 'ETIMEDOUT' });
    };

    const first = await sweep('lost', { insertJob: timedOut });
    expect(first).toMatchObject({ released: 0, error: expect.stringContaining('timeout') });
    const [plan] = inFlight;
    if (!plan) throw new Error('no insert');
    const landed = await bigquery.insertJob(plan);
    expect(landed.outcome).toBe('submitted');
    await stack.bigquery.waitForJob(TEST_PROJECT, plan.jobId);

    const next = await sweep('lost', { claimGraceSeconds: 0 });
    await waitForJobs(next);
    expect(next.jobs).toEqual([
      expect.objectContaining({ kind: 'recovery', jobId: plan.jobId, outcome: 'exists' }),
    ]);
    expect(await rows('lost')).toEqual({ n: 20, distinct: 20 });
    expect(markersUnder('lost').every((m) => m.state === 'submitted' && m.job === plan.jobId)).toBe(
      true,
    );
  });

  it('plans no more jobs per table per run than jobsPerDay / sweepsPerDay', async () => {
    drop('budget', 50);

    const first = await sweep('budget');
    await waitForJobs(first);
    expect(first).toMatchObject({ planned: 2, submitted: 2, deferred: 30 });

    const second = await sweep('budget');
    await waitForJobs(second);
    expect(second).toMatchObject({ planned: 2, submitted: 2, deferred: 10, marked: 20 });
    expect(await rows('budget')).toEqual({ n: 40, distinct: 40 });
  });

  it('in a dry run plans the jobs but changes nothing', async () => {
    drop('dry', 25);
    stack.gcs.store.insert(BUCKET, 'single/missed.ndjson', Buffer.from('{"id":1}\n'), {});
    const requestsBefore = stack.bigquery.requests.length;
    const before = markersUnder('dry');

    const summary = await runSweep(deps(), {
      routes: ['dry', 'single'],
      minAgeSeconds: 0,
      dryRun: true,
    });

    expect(summary.jobs.map((j) => [j.kind, j.route, j.files, j.outcome])).toEqual([
      ['batch', 'dry', 25, 'planned'],
      ['catch-up', 'single', 1, 'planned'],
    ]);
    expect(stack.bigquery.requests.length).toBe(requestsBefore);
    expect(markersUnder('dry')).toEqual(before);
    expect(markersUnder('single')).toEqual([{ metageneration: '1' }]);
  });

  it('leaves objects of routes that take no object events alone', async () => {
    stack.gcs.store.insert(BUCKET, 'requested/a.ndjson', Buffer.from('{"id":1}\n'), {});

    const summary = await runSweep(deps(), { minAgeSeconds: 0, dryRun: true });

    expect(summary.routes).not.toContain('requested');
    expect(summary.jobs.filter((j) => j.route === 'requested')).toEqual([]);
  });
});
