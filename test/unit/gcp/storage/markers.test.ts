/**
 * Marker writes against the local GCS server: compare-and-set on the metageneration, pinned
 * to the generation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGcsServer } from '../../../../dev/gcs/server';
import { createGoogleEdge } from '../../../../src/gcp/edge';
import {
  createMarkerWriter,
  MARKER_JOB,
  MARKER_STATE,
  type MarkerWriter,
  markerOf,
} from '../../../../src/gcp/storage/markers';
import { type FakeServer, startFakeServer } from '../fake-servers';
import { useMetadataEnv } from '../metadata-env';

describe('markerOf', () => {
  it.each([
    ['no metadata', undefined, undefined],
    [
      'a job and a known state',
      { [MARKER_JOB]: 'j1', [MARKER_STATE]: 'claimed' },
      { jobId: 'j1', state: 'claimed' },
    ],
    ['a job without a state', { [MARKER_JOB]: 'j1' }, undefined],
    ['an unknown state', { [MARKER_JOB]: 'j1', [MARKER_STATE]: 'maybe' }, undefined],
    ['a state without a job', { [MARKER_STATE]: 'loaded' }, undefined],
  ])('reads %s', (_what, metadata, expected) => {
    expect(markerOf(metadata)).toEqual(expected);
  });
});

describe('createMarkerWriter', () => {
  let gcs: Awaited<ReturnType<typeof startGcsServer>>;
  let root: string;
  let restoreEnv: () => void;
  let markers: MarkerWriter;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'markers-'));
    gcs = await startGcsServer({ rootDir: root });
    restoreEnv = useMetadataEnv('127.0.0.1:1', { STORAGE_EMULATOR_HOST: gcs.emulatorHost });
    markers = createMarkerWriter({ retry: { budgetMs: 0 } });
  });

  afterAll(async () => {
    restoreEnv();
    await gcs.close();
    rmSync(root, { recursive: true, force: true });
  });

  function put(name: string) {
    return gcs.store.insert('landing', name, Buffer.from('x\n'), { metadata: { owner: 'etl' } });
  }

  it('writes the job id and state, keeps other metadata, and answers the new metageneration', async () => {
    const o = put('a.csv');
    const result = await markers.write(o, { jobId: 'bqal_j', state: 'claimed' });
    expect(result).toEqual({ kind: 'written', metageneration: '2' });
    expect(gcs.store.get('landing', 'a.csv').metadata).toEqual({
      owner: 'etl',
      [MARKER_JOB]: 'bqal_j',
      [MARKER_STATE]: 'claimed',
    });
  });

  it('lets exactly one of two writers at the same metageneration win', async () => {
    const o = put('b.csv');
    const results = await Promise.all([
      markers.write(o, { jobId: 'one', state: 'claimed' }),
      markers.write(o, { jobId: 'two', state: 'claimed' }),
    ]);
    expect(results.map((r) => r.kind).sort()).toEqual(['conflict', 'written']);
    const winner = results[0]?.kind === 'written' ? 'one' : 'two';
    expect(gcs.store.get('landing', 'b.csv').metadata?.[MARKER_JOB]).toBe(winner);
  });

  it('clears a marker under the same compare-and-set, keeping other metadata', async () => {
    const o = put('cleared.csv');
    const claimed = await markers.write(o, { jobId: 'bqal_j', state: 'claimed' });
    if (claimed.kind !== 'written') throw new Error(`claim ${claimed.kind}`);
    expect(await markers.clear?.(o)).toEqual({ kind: 'conflict' });
    const result = await markers.clear?.({ ...o, metageneration: claimed.metageneration });
    expect(result).toEqual({ kind: 'written', metageneration: '3' });
    expect(gcs.store.get('landing', 'cleared.csv').metadata).toEqual({ owner: 'etl' });
  });

  it('never marks a newer generation of the object', async () => {
    const old = put('c.csv');
    put('c.csv');
    expect(await markers.write(old, { jobId: 'j', state: 'submitted' })).toEqual({
      kind: 'conflict',
    });
    expect(gcs.store.get('landing', 'c.csv').metadata?.[MARKER_JOB]).toBeUndefined();
  });

  it('answers gone for an object that no longer exists', async () => {
    const o = put('d.csv');
    gcs.store.delete('landing', 'd.csv');
    expect(await markers.write(o, { jobId: 'j', state: 'submitted' })).toEqual({ kind: 'gone' });
  });
});

describe('a marker write whose first answer was lost', () => {
  let gcs: FakeServer;

  beforeEach(async () => {
    gcs = await startFakeServer();
  });

  afterEach(async () => {
    await gcs.close();
  });

  /** A PATCH that lands but answers 503, then 412 for the retry (the metageneration moved). */
  function lostAnswer(current: Record<string, string>) {
    gcs.answers.push(
      { status: 503, body: { error: { code: 503, message: 'backend error' } } },
      { status: 412, body: { error: { code: 412, message: 'precondition' } } },
      { status: 200, body: { generation: '7', metageneration: '2', metadata: current } },
    );
    const edge = createGoogleEdge({ env: { STORAGE_EMULATOR_HOST: `${gcs.url}/storage/v1` } });
    return createMarkerWriter({ edge, retry: { budgetMs: 2000, initialDelayMs: 1 } });
  }
  const target = { bucket: 'landing', name: 'in/a.csv', generation: '7', metageneration: '1' };

  it('reports written when the object already carries exactly this marker', async () => {
    const writer = lostAnswer({ [MARKER_JOB]: 'bqal_j', [MARKER_STATE]: 'claimed' });
    await expect(writer.write(target, { jobId: 'bqal_j', state: 'claimed' })).resolves.toEqual({
      kind: 'written',
      metageneration: '2',
    });
    const [first, second, check] = gcs.requests;
    expect([first?.method, second?.method, check?.method]).toEqual(['PATCH', 'PATCH', 'GET']);
    const patch = new URL(first?.url ?? '', gcs.url);
    expect(patch.pathname).toBe('/storage/v1/b/landing/o/in%2Fa.csv');
    expect(patch.searchParams.get('ifGenerationMatch')).toBe('7');
    expect(patch.searchParams.get('ifMetagenerationMatch')).toBe('1');
    expect(JSON.parse(first?.body ?? '')).toEqual({
      metadata: {
        [MARKER_JOB]: 'bqal_j',
        [MARKER_STATE]: 'claimed',
        'bq-autoloader-rows': null,
        'bq-autoloader-error': null,
      },
    });
    // The check reads that generation only: a newer one is not ours to judge.
    expect(new URL(check?.url ?? '', gcs.url).searchParams.get('ifGenerationMatch')).toBe('7');
  });

  it.each([
    ['another job', { [MARKER_JOB]: 'bqal_other', [MARKER_STATE]: 'claimed' }],
    ['another state', { [MARKER_JOB]: 'bqal_j', [MARKER_STATE]: 'submitted' }],
  ])('reports conflict when the object carries %s', async (_what, current) => {
    const writer = lostAnswer(current);
    await expect(writer.write(target, { jobId: 'bqal_j', state: 'claimed' })).resolves.toEqual({
      kind: 'conflict',
    });
  });

  it('reports a 412 on the first attempt as a conflict without reading the object', async () => {
    gcs.answers.push({ status: 412, body: {} });
    const edge = createGoogleEdge({ env: { STORAGE_EMULATOR_HOST: `${gcs.url}/storage/v1` } });
    const writer = createMarkerWriter({ edge, retry: { budgetMs: 2000, initialDelayMs: 1 } });

    await expect(writer.write(target, { jobId: 'bqal_j', state: 'claimed' })).resolves.toEqual({
      kind: 'conflict',
    });
    expect(gcs.requests).toHaveLength(1);
  });
});
