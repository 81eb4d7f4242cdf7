/** Post-load actions against the local GCS server: pinned generations, no lost objects. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { File } from '@google-cloud/storage';
import { startGcsServer } from '../../../dev/gcs/server';
import { RetryableError } from '../../../src/errors';
import {
  createObjectActions,
  destinationOf,
  type ObjectActions,
} from '../../../src/outcomes/post-load';
import { useMetadataEnv } from '../gcp/bigquery/metadata-env';

describe('destinationOf', () => {
  it.each([
    ['gs://archive/', 'a/b.csv', { bucket: 'archive', name: 'a/b.csv' }],
    ['gs://archive/done/', 'a/b.csv', { bucket: 'archive', name: 'done/a/b.csv' }],
  ])('%s + %s', (to, name, expected) => {
    expect(destinationOf(to, name)).toEqual(expected);
  });
});

describe('createObjectActions', () => {
  let gcs: Awaited<ReturnType<typeof startGcsServer>>;
  let root: string;
  let restoreEnv: () => void;
  let actions: ObjectActions;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'actions-'));
    gcs = await startGcsServer({ rootDir: root });
    restoreEnv = useMetadataEnv('127.0.0.1:1', { STORAGE_EMULATOR_HOST: gcs.emulatorHost });
    actions = createObjectActions({ retry: { budgetMs: 0 } });
    gcs.store.insert('archive', 'README', Buffer.from('x'), {});
  });

  afterAll(async () => {
    restoreEnv();
    await gcs.close();
    rmSync(root, { recursive: true, force: true });
  });

  function put(name: string, text = 'id\n1\n') {
    const o = gcs.store.insert('landing', name, Buffer.from(text), { metadata: { k: 'v' } });
    return { bucket: 'landing', name, generation: o.generation };
  }

  it('keep leaves the object where it is', async () => {
    const o = put('keep.csv');
    expect(await actions.apply({ action: 'keep' }, o)).toBe('kept');
    expect(await actions.apply(undefined, o)).toBe('kept');
    expect(gcs.store.get('landing', 'keep.csv').generation).toBe(o.generation);
  });

  it('move copies that generation with its metadata, then deletes it', async () => {
    const o = put('in/move.csv');
    expect(await actions.apply({ action: 'move', to: 'gs://archive/done/' }, o)).toBe('moved');
    expect(() => gcs.store.get('landing', 'in/move.csv')).toThrow();
    expect(gcs.store.get('archive', 'done/in/move.csv').metadata).toEqual({ k: 'v' });
  });

  it('move and delete never touch a newer generation', async () => {
    const old = put('race.csv', 'old\n');
    const newer = put('race.csv', 'new\n');
    expect(await actions.apply({ action: 'move', to: 'gs://archive/race/' }, old)).toBe('gone');
    expect(await actions.apply({ action: 'delete' }, old)).toBe('gone');
    expect(gcs.store.get('landing', 'race.csv').generation).toBe(newer.generation);
    expect(() => gcs.store.get('archive', 'race/race.csv')).toThrow();
  });

  it('delete removes exactly that generation; a repeat finds it gone', async () => {
    const o = put('del.csv');
    expect(await actions.apply({ action: 'delete' }, o)).toBe('deleted');
    expect(await actions.apply({ action: 'delete' }, o)).toBe('gone');
  });

  it('a move whose delete fails keeps the object (retryable) and completes on retry', async () => {
    const o = put('flaky.csv');
    const failOnce = jest.spyOn(File.prototype, 'delete').mockImplementationOnce(async () => {
      throw Object.assign(new Error('backend unavailable'), { code: 503 });
    });
    const move = { action: 'move', to: 'gs://archive/flaky/' } as const;
    await expect(actions.apply(move, o)).rejects.toBeInstanceOf(RetryableError);
    expect(gcs.store.get('landing', 'flaky.csv').generation).toBe(o.generation);
    expect(gcs.store.get('archive', 'flaky/flaky.csv')).toBeDefined();
    failOnce.mockRestore();
    expect(await actions.apply(move, o)).toBe('moved');
    expect(() => gcs.store.get('landing', 'flaky.csv')).toThrow();
  });
});
