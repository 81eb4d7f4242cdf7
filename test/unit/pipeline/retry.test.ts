/**
 * Retrying a failed load (pipeline/retry.ts) against an in-memory bucket whose marker writes
 * are compare-and-set on the metageneration, and an in-memory BigQuery whose job ids are
 * unique (a second insert is a 409 `duplicate` returning the existing job).
 */

import { decodeLoadRequest } from '../../../src/events/load-request';
import {
  MARKER_ERROR,
  MARKER_JOB,
  MARKER_STATE,
  type Marker,
} from '../../../src/gcp/storage/markers';
import { submitObject } from '../../../src/pipeline/object-load';
import { processLoadRequest } from '../../../src/pipeline/requests/handle';
import { retryObject } from '../../../src/pipeline/retry';
import { planObjectLoad } from '../../../src/routing/plan';
import type { LoadPlan, ObjectRef } from '../../../src/types';
import { objectRef, rulesFrom } from '../routing/rules';

const RULES = `
project: p
location: EU
allow:
  buckets: [landing]
routes:
  - name: sales
    match: gs://landing/sales/*.csv
    destination: raw.sales
    format: CSV
  - name: staged
    match: gs://landing/staged/*.csv
    destination: raw.staged
    format: CSV
    snapshot: true
  - name: nightly
    match: gs://landing/nightly/*.csv
    destination: raw.nightly
    format: CSV
    mode: batch
`;

const FAILED = {
  state: 'DONE',
  errorResult: { reason: 'notFound', message: 'Not found: Dataset p:raw' },
};

function world(objects: ObjectRef[]) {
  const live = new Map(
    objects.map((o) => [`${o.bucket}/${o.name}`, { ...o, metageneration: '1' }]),
  );
  const jobs = new Map<string, { plan?: LoadPlan; job: Record<string, unknown> }>();
  const inserted: string[] = [];
  const key = (b: string, n: string) => `${b}/${n}`;
  const deps = {
    getLiveObject: async (bucket: string, name: string) => live.get(key(bucket, name)),
    markers: {
      write: async (
        t: { bucket: string; name: string; generation: string; metageneration: string },
        m: Marker,
      ) => {
        const o = live.get(key(t.bucket, t.name));
        if (!o || o.generation !== t.generation) return { kind: 'gone' as const };
        if (o.metageneration !== t.metageneration) return { kind: 'conflict' as const };
        const metageneration = String(Number(o.metageneration) + 1);
        const metadata: Record<string, string> = { [MARKER_JOB]: m.jobId, [MARKER_STATE]: m.state };
        if (m.error) metadata[MARKER_ERROR] = m.error;
        live.set(key(t.bucket, t.name), { ...o, metageneration, metadata });
        return { kind: 'written' as const, metageneration };
      },
    },
    insertJob: async (plan: LoadPlan) => {
      const existing = jobs.get(plan.jobId);
      if (existing) return { outcome: 'duplicate' as const, job: existing.job };
      inserted.push(plan.jobId);
      const job = { ...plan.job, status: { state: 'RUNNING' } };
      jobs.set(plan.jobId, { plan, job });
      return { outcome: 'submitted' as const, job };
    },
    findJob: async (_project: string, jobId: string) => jobs.get(jobId)?.job,
  };
  /** A job under `jobId` that ended as `status` (configuration from `plan`). */
  const finished = (plan: LoadPlan, status: Record<string, unknown>, jobId = plan.jobId) =>
    jobs.set(jobId, {
      job: { ...plan.job, jobReference: { ...plan.job.jobReference, jobId }, status },
    });
  return { live, jobs, inserted, deps, finished };
}

async function setup(name = 'sales/a.csv') {
  const rules = await rulesFrom(RULES);
  const object = objectRef({ name, metageneration: '1' });
  const w = world([object]);
  const decision = planObjectLoad(rules, object, { runtimeProject: 'p' });
  if (decision.kind !== 'load') throw new Error('no plan');
  return { rules, object, first: decision.plan, ...w };
}

/** The first load: claimed and inserted as a finalize event does, then failed in BigQuery. */
async function firstLoadFailed(s: Awaited<ReturnType<typeof setup>>) {
  await submitObject(s.deps, s.object, s.first);
  s.finished(s.first, FAILED);
}

const ctx = { runtimeProject: 'p' };
const ref = (name = 'sales/a.csv') => ({ bucket: 'landing', name });

describe('retryObject', () => {
  it('submits attempt 2 under <id>_a2 for an object whose job failed, claimed on its marker', async () => {
    const s = await setup();
    await firstLoadFailed(s);
    const result = await retryObject(s.deps, s.rules, ref(), ctx);
    expect(result).toMatchObject({ kind: 'submitted', attempt: 2, previous: s.first.jobId });
    const attempt2 = `${s.first.jobId}_a2`;
    expect(s.inserted).toEqual([s.first.jobId, attempt2]);
    const inserted = s.jobs.get(attempt2)?.plan;
    expect(inserted?.job.jobReference.jobId).toBe(attempt2);
    expect(inserted?.job.configuration).toEqual(s.first.job.configuration);
    expect(s.live.get('landing/sales/a.csv')?.metadata).toEqual({
      [MARKER_JOB]: attempt2,
      [MARKER_STATE]: 'claimed',
    });
  });

  it('after attempt 2 fails too, the next retry is attempt 3; a retry of a running job changes nothing', async () => {
    const s = await setup();
    await firstLoadFailed(s);
    await retryObject(s.deps, s.rules, ref(), ctx);
    const running = await retryObject(s.deps, s.rules, ref(), ctx);
    expect(running).toMatchObject({
      kind: 'unchanged',
      reason: expect.stringContaining('still running'),
    });
    s.finished(s.first, FAILED, `${s.first.jobId}_a2`);
    const third = await retryObject(s.deps, s.rules, ref(), ctx);
    expect(third).toMatchObject({ kind: 'submitted', attempt: 3 });
    expect(s.inserted.at(-1)).toBe(`${s.first.jobId}_a3`);
  });

  it('two concurrent retries submit one job: the second finds the claim its own and gets a 409', async () => {
    const s = await setup();
    await firstLoadFailed(s);
    const results = await Promise.all([
      retryObject(s.deps, s.rules, ref(), ctx),
      retryObject(s.deps, s.rules, ref(), ctx),
    ]);
    expect(results.map((r) => r.kind).sort()).toEqual(['duplicate', 'submitted']);
    expect(s.inserted).toEqual([s.first.jobId, `${s.first.jobId}_a2`]);
  });

  it('leaves alone an object whose last job succeeded, one never claimed, and one loaded', async () => {
    const s = await setup();
    expect(await retryObject(s.deps, s.rules, ref(), ctx)).toMatchObject({
      kind: 'unchanged',
      reason: expect.stringContaining('no load has claimed'),
    });
    await submitObject(s.deps, s.object, s.first);
    s.finished(s.first, { state: 'DONE' });
    expect(await retryObject(s.deps, s.rules, ref(), ctx)).toMatchObject({
      kind: 'unchanged',
      reason: expect.stringContaining('succeeded'),
    });
    const o = s.live.get('landing/sales/a.csv') as ObjectRef;
    o.metadata = { [MARKER_JOB]: s.first.jobId, [MARKER_STATE]: 'loaded' };
    expect(await retryObject(s.deps, s.rules, ref(), ctx)).toMatchObject({ kind: 'unchanged' });
    expect(s.inserted).toEqual([s.first.jobId]);
  });

  it("refuses an object claimed by a job that is not its route's load, and a bucket outside the allowlist", async () => {
    const s = await setup();
    const o = s.live.get('landing/sales/a.csv') as ObjectRef;
    o.metadata = { [MARKER_JOB]: 'bqal_other_0123', [MARKER_STATE]: 'failed' };
    expect(await retryObject(s.deps, s.rules, ref(), ctx)).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('bqal_other_0123'),
    });
    expect(
      await retryObject(s.deps, s.rules, { bucket: 'elsewhere', name: 'x.csv' }, ctx),
    ).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('allow.buckets'),
    });
    expect(s.inserted).toEqual([]);
  });

  it('refuses when the failed job under the marked id loads elsewhere (a decoy)', async () => {
    const s = await setup();
    await submitObject(s.deps, s.object, s.first);
    const decoy = {
      ...s.first,
      job: {
        ...s.first.job,
        configuration: {
          ...s.first.job.configuration,
          load: {
            ...s.first.job.configuration.load,
            destinationTable: { projectId: 'p', datasetId: 'evil', tableId: 't' },
          },
        },
      },
    };
    s.finished(decoy, FAILED);
    expect(await retryObject(s.deps, s.rules, ref(), ctx)).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('evil'),
    });
    // A decoy that succeeded says nothing about this object either: refused, not "loaded".
    s.finished(decoy, { state: 'DONE' });
    expect(await retryObject(s.deps, s.rules, ref(), ctx)).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('evil'),
    });
    expect(s.inserted).toEqual([s.first.jobId]);
  });

  it('resumes an attempt claimed but never inserted (a crash between claim and insert)', async () => {
    const s = await setup();
    const o = s.live.get('landing/sales/a.csv') as ObjectRef;
    o.metadata = { [MARKER_JOB]: `${s.first.jobId}_a2`, [MARKER_STATE]: 'claimed' };
    const result = await retryObject(s.deps, s.rules, ref(), ctx);
    expect(result).toMatchObject({ kind: 'submitted', attempt: 2 });
    expect(s.inserted).toEqual([`${s.first.jobId}_a2`]);
  });

  it('retries a failed batch member on its own, as attempt 2 of its per-object id', async () => {
    const s = await setup('nightly/n.csv');
    const o = s.live.get('landing/nightly/n.csv') as ObjectRef;
    const batchId = `bqal_nightly_batch_${'ab'.repeat(32)}`;
    o.metadata = { [MARKER_JOB]: batchId, [MARKER_STATE]: 'failed' };
    const result = await retryObject(s.deps, s.rules, ref('nightly/n.csv'), ctx);
    expect(result).toMatchObject({ kind: 'submitted', attempt: 2, previous: batchId });
    expect(s.inserted).toEqual([`${s.first.jobId}_a2`]);
    expect(s.jobs.get(`${s.first.jobId}_a2`)?.plan?.job.configuration.load.sourceUris).toEqual([
      'gs://landing/nightly/n.csv',
    ]);
  });

  it('leaves a batch member alone while its failed job is not finished (a reload may take it)', async () => {
    const s = await setup('nightly/n.csv');
    const o = s.live.get('landing/nightly/n.csv') as ObjectRef;
    const batchId = `bqal_nightly_batch_${'cd'.repeat(32)}`;
    o.metadata = { [MARKER_JOB]: batchId, [MARKER_STATE]: 'submitted' };
    // The batch job failed; its finisher may be inserting a reload with this file right now.
    s.finished(s.first, FAILED, batchId);
    const result = await retryObject(s.deps, s.rules, ref('nightly/n.csv'), ctx);
    expect(result).toMatchObject({
      kind: 'unchanged',
      reason: expect.stringContaining('its finisher has not recorded it yet'),
    });
    expect(s.inserted).toEqual([]);
  });

  it('a snapshot route retries from a snapshot named after the new attempt', async () => {
    const s = await setup('staged/s.csv');
    await firstLoadFailed(s);
    await retryObject(s.deps, s.rules, ref('staged/s.csv'), ctx);
    const plan = s.jobs.get(`${s.first.jobId}_a2`)?.plan;
    expect(plan?.snapshot?.target.name).toBe(
      `.bq-autoloader/snapshots/${s.first.jobId}_a2/staged/s.csv`,
    );
    expect(plan?.job.configuration.load.sourceUris).toEqual([
      `gs://landing/.bq-autoloader/snapshots/${s.first.jobId}_a2/staged/s.csv`,
    ]);
  });
});

describe('a redelivered event after a retry', () => {
  it("ensures the retry's attempt exists (409) instead of inserting the failed id again", async () => {
    const s = await setup();
    await firstLoadFailed(s);
    await retryObject(s.deps, s.rules, ref(), ctx);
    // The original finalize event again: its object still says metageneration 1.
    const submitted = await submitObject(s.deps, s.object, s.first);
    expect(submitted).toMatchObject({ kind: 'duplicate', claim: 'already claimed' });
    if (submitted.kind === 'refused') throw new Error('refused');
    expect(submitted.plan.jobId).toBe(`${s.first.jobId}_a2`);
    expect(s.inserted).toEqual([s.first.jobId, `${s.first.jobId}_a2`]);
  });
});

describe('a retry request ({"kind": "retry"})', () => {
  it('decodes objects or a prefix, and refuses a route (each object keeps the route that loaded it)', () => {
    const message = (data: unknown) => ({
      messageId: 'm1',
      data: Buffer.from(JSON.stringify(data)).toString('base64'),
    });
    const cloudEvent = {
      id: 'e1',
      source: '//pubsub.googleapis.com/projects/p/topics/requests',
    } as Parameters<typeof decodeLoadRequest>[1];
    expect(
      decodeLoadRequest(
        message({ kind: 'retry', objects: ['gs://landing/sales/a.csv'] }),
        cloudEvent,
      ),
    ).toMatchObject({
      kind: 'request',
      request: { objects: [{ bucket: 'landing', name: 'sales/a.csv' }], retry: true },
    });
    expect(
      decodeLoadRequest(message({ kind: 'retry', prefix: 'gs://landing/sales/' }), cloudEvent),
    ).toMatchObject({
      kind: 'request',
      request: { prefix: { bucket: 'landing', prefix: 'sales/' }, retry: true },
    });
    expect(
      decodeLoadRequest(
        message({ kind: 'retry', prefix: 'gs://landing/sales/', route: 'sales' }),
        cloudEvent,
      ),
    ).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('give no route'),
    });
  });

  it('retries only the failed objects under a prefix and counts the rest unchanged', async () => {
    const rules = await rulesFrom(RULES);
    const a = objectRef({ name: 'sales/a.csv', generation: '1' });
    const b = objectRef({ name: 'sales/b.csv', generation: '2' });
    const c = objectRef({ name: 'sales/c.csv', generation: '3' });
    const w = world([a, b, c]);
    const plans = [a, b].map((o) => {
      const d = planObjectLoad(rules, o, ctx);
      if (d.kind !== 'load') throw new Error('no plan');
      return d.plan;
    });
    for (const [i, o] of [a, b].entries()) {
      const plan = plans[i] as LoadPlan;
      await submitObject(w.deps, o, plan);
      w.finished(plan, i === 0 ? FAILED : { state: 'DONE' });
    }
    const lines: { outcome?: unknown }[] = [];
    const summary = await processLoadRequest(
      {
        ...w.deps,
        listPrefix: async function* () {
          yield [...w.live.values()];
        },
        fanOut: { publish: async () => 'x', chunkObjects: 100 },
      },
      rules,
      { prefix: { bucket: 'landing', prefix: 'sales/' }, retry: true },
      { runtimeProject: 'p', topic: 'projects/p/topics/requests' },
      (_s, _m, fields) => lines.push(fields),
    );
    // c was never claimed: not even looked at; b succeeded: unchanged; a: attempt 2.
    expect(summary).toMatchObject({ submitted: 1, duplicate: 0, unchanged: 1, refused: 0 });
    expect(w.inserted.at(-1)).toBe(`${plans[0]?.jobId}_a2`);
    expect(lines.map((l) => l.outcome).sort()).toEqual(['submitted', 'unchanged']);
  });
});
