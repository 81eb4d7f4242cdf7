/**
 * Marker writes against the local GCS server: compare-and-set on the metageneration, pinned
 * to the generation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { startGcsServer } from '../../../../dev/gcs/server';
import {
  createMarkerWriter,
  MARKER_JOB,
  MARKER_STATE,
  type MarkerWriter,
  markerOf,
} from '../../../../src/gcp/storage/markers';
import { useMetadataEnv } from '../bigquery/metadata-env';

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
  /** A PATCH that lands but answers 503, then 412 for the retry (the metageneration moved). */
  function lostAnswer(current: Record<string, string>) {
    const patches: unknown[] = [];
    const file = {
      setMetadata: async (body: unknown) => {
        patches.push(body);
        throw Object.assign(new Error(patches.length === 1 ? 'backend error' : 'precondition'), {
          code: patches.length === 1 ? 503 : 412,
        });
      },
      getMetadata: async () => [{ generation: '7', metageneration: '2', metadata: current }],
    };
    const storage = { bucket: () => ({ file: () => file }) } as unknown as Storage;
    const writer = createMarkerWriter({ storage, retry: { budgetMs: 2000, initialDelayMs: 1 } });
    return { writer, patches };
  }
  const target = { bucket: 'landing', name: 'a.csv', generation: '7', metageneration: '1' };

  it('reports written when the object already carries exactly this marker', async () => {
    const { writer, patches } = lostAnswer({ [MARKER_JOB]: 'bqal_j', [MARKER_STATE]: 'claimed' });
    await expect(writer.write(target, { jobId: 'bqal_j', state: 'claimed' })).resolves.toEqual({
      kind: 'written',
      metageneration: '2',
    });
    expect(patches).toHaveLength(2);
  });

  it.each([
    ['another job', { [MARKER_JOB]: 'bqal_other', [MARKER_STATE]: 'claimed' }],
    ['another state', { [MARKER_JOB]: 'bqal_j', [MARKER_STATE]: 'submitted' }],
  ])('reports conflict when the object carries %s', async (_what, current) => {
    const { writer } = lostAnswer(current);
    await expect(writer.write(target, { jobId: 'bqal_j', state: 'claimed' })).resolves.toEqual({
      kind: 'conflict',
    });
  });
});
