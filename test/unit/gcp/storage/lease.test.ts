/**
 * Sweep leases against the local GCS server: created with ifGenerationMatch=0, deleted
 * pinned to their generation, taken over once stale (exactly one of two sweeps wins), and
 * an unreadable lease is a lease all the same. Answers without a generation against a
 * scripted server.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGcsServer } from '../../../../dev/gcs/server';
import { createGoogleEdge, type EdgeRequest, type GoogleEdge } from '../../../../src/gcp/edge';
import { createLeaseStore, LEASE_NAME, type LeaseStore } from '../../../../src/gcp/storage/lease';
import { type FakeServer, startFakeServer } from '../fake-servers';
import { useMetadataEnv } from '../metadata-env';

const STALE_MS = 600_000;
const TINY_RETRY = { initialDelayMs: 1, maxDelayMs: 2, budgetMs: 0 };

/** An edge whose calls go through `before` first (to hold one sweep at a chosen request). */
function gatedEdge(before: (request: EdgeRequest) => Promise<void>): GoogleEdge {
  const edge = createGoogleEdge();
  return {
    get endpoints() {
      return edge.endpoints;
    },
    useEndpoints: (choice) => edge.useEndpoints(choice),
    tokens: edge.tokens,
    proxy: edge.proxy,
    call: async (request) => {
      await before(request);
      return edge.call(request);
    },
    close: () => edge.close(),
  };
}

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('createLeaseStore against the local GCS server', () => {
  let gcs: Awaited<ReturnType<typeof startGcsServer>>;
  let root: string;
  let restoreEnv: () => void;
  let leases: LeaseStore;
  let edge: GoogleEdge;
  let bucketNo = 0;
  let bucket: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'lease-'));
    gcs = await startGcsServer({ rootDir: root });
    restoreEnv = useMetadataEnv('127.0.0.1:1', { STORAGE_EMULATOR_HOST: gcs.emulatorHost });
    edge = createGoogleEdge();
    leases = createLeaseStore({ edge, retry: TINY_RETRY });
  });

  afterAll(async () => {
    edge.close();
    restoreEnv();
    await gcs.close();
    rmSync(root, { recursive: true, force: true });
  });

  beforeEach(() => {
    bucketNo += 1;
    bucket = `landing-${bucketNo}`;
  });

  const stored = () => gcs.store.get(bucket, LEASE_NAME);
  const later = () => Date.now() + 2 * STALE_MS;

  it('is held by one sweep at a time and given back pinned to its generation', async () => {
    const a = await leases.acquire(bucket, 'tick-a', STALE_MS, Date.now());
    expect(a).toEqual({ kind: 'held', lease: { bucket, generation: stored().generation } });
    const b = await leases.acquire(bucket, 'tick-b', STALE_MS, Date.now());
    expect(b).toEqual({ kind: 'busy', holder: 'tick-a', since: stored().timeCreated });
    if (a.kind !== 'held') throw new Error('not held');
    await leases.release(a.lease);
    expect(stored).toThrow();
    expect(await leases.acquire(bucket, 'tick-b', STALE_MS, Date.now())).toMatchObject({
      kind: 'held',
    });
  });

  it('takes over a stale lease, and the dead holder’s late release leaves the new one alone', async () => {
    const dead = await leases.acquire(bucket, 'tick-dead', STALE_MS, Date.now());
    const next = await leases.acquire(bucket, 'tick-next', STALE_MS, later());
    expect(next).toEqual({ kind: 'held', lease: { bucket, generation: stored().generation } });
    if (dead.kind !== 'held' || next.kind !== 'held') throw new Error('not held');
    expect(next.lease.generation).not.toBe(dead.lease.generation);
    await leases.release(dead.lease); // 412: not its generation any more
    expect(stored().generation).toBe(next.lease.generation);
    const body = readFileSync(gcs.store.objectPath(bucket, LEASE_NAME), 'utf8');
    expect(JSON.parse(body)).toMatchObject({ token: 'tick-next' });
  });

  it.each([
    ['an empty body', ''],
    ['a body that is not JSON', 'garbage'],
    ['JSON without a token', '{}'],
    ['a token that is not a string', '{"token": 7}'],
  ])('counts a lease with %s as held by "?", and takes it over once stale', async (_what, body) => {
    gcs.store.insert(bucket, LEASE_NAME, Buffer.from(body), {});
    const young = await leases.acquire(bucket, 'tick-a', STALE_MS, Date.now());
    expect(young).toEqual({ kind: 'busy', holder: '?', since: stored().timeCreated });
    const old = await leases.acquire(bucket, 'tick-a', STALE_MS, later());
    expect(old).toEqual({ kind: 'held', lease: { bucket, generation: stored().generation } });
  });

  it('lets exactly one of two sweeps take over a stale lease at once', async () => {
    await leases.acquire(bucket, 'tick-dead', STALE_MS, Date.now());
    const now = later();
    const results = await Promise.all(
      ['tick-b', 'tick-c'].map((t) => leases.acquire(bucket, t, STALE_MS, now)),
    );
    expect(results.map((r) => r.kind).sort()).toEqual(['busy', 'held']);
    const winner = results.findIndex((r) => r.kind === 'held');
    expect(results[1 - winner]).toMatchObject({ holder: winner === 0 ? 'tick-b' : 'tick-c' });
  });

  it('lets the second of two sweeps that both saw the stale lease lose to the first', async () => {
    await leases.acquire(bucket, 'tick-dead', STALE_MS, Date.now());
    // Sweep B has read the stale lease and is held before its delete until C has taken over.
    const cDone = signal();
    const bAtDelete = signal();
    const gated = gatedEdge(async (request) => {
      if (request.method !== 'DELETE') return;
      bAtDelete.resolve();
      await cDone.promise;
    });
    const b = createLeaseStore({ retry: TINY_RETRY, edge: gated });
    const now = later();
    const bResult = b.acquire(bucket, 'tick-b', STALE_MS, now);
    await bAtDelete.promise;
    const cResult = await leases.acquire(bucket, 'tick-c', STALE_MS, now).finally(cDone.resolve);
    expect(cResult).toEqual({ kind: 'held', lease: { bucket, generation: stored().generation } });
    expect(await bResult).toEqual({ kind: 'busy', holder: 'tick-c', since: stored().timeCreated });
    expect(stored().generation).toBe(cResult.kind === 'held' ? cResult.lease.generation : '');
    gated.close();
  });
});

describe('createLeaseStore with answers that lack a generation', () => {
  let gcs: FakeServer;
  let restoreEnv: () => void;
  let edge: GoogleEdge;

  beforeAll(async () => {
    gcs = await startFakeServer();
    restoreEnv = useMetadataEnv('127.0.0.1:9', { STORAGE_EMULATOR_HOST: `${gcs.url}/storage/v1` });
    edge = createGoogleEdge();
  });

  afterAll(async () => {
    edge.close();
    restoreEnv();
    await gcs.close();
  });

  beforeEach(() => {
    gcs.requests.length = 0;
    gcs.answers.length = 0;
  });

  const leases = () => createLeaseStore({ edge, retry: TINY_RETRY });
  const precondition = { status: 412, body: { error: { code: 412, message: 'no' } } };

  it('holds a lease it created without knowing its generation, and never deletes it unpinned', async () => {
    gcs.answers.push({ status: 200, body: { name: LEASE_NAME } });
    const held = await leases().acquire('landing', 'tick-a', STALE_MS, Date.now());
    expect(held).toEqual({ kind: 'held', lease: { bucket: 'landing' } });
    if (held.kind !== 'held') throw new Error('not held');
    await leases().release(held.lease);
    expect(gcs.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('leaves a lease whose generation it cannot read alone, however old', async () => {
    gcs.answers.push(precondition, { status: 200, body: { timeCreated: '2020-01-01T00:00:00Z' } });
    const result = await leases().acquire('landing', 'tick-a', STALE_MS, Date.now());
    expect(result).toEqual({ kind: 'busy', holder: '?', since: '2020-01-01T00:00:00Z' });
    expect(gcs.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(gcs.requests.some((r) => r.url.includes('undefined'))).toBe(false);
  });
});
