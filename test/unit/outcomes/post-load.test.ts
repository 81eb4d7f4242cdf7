/** Post-load actions against the local GCS server: pinned generations, no lost objects. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGcsServer } from '../../../dev/gcs/server';
import { RetryableError } from '../../../src/errors';
import { createObjectChanges } from '../../../src/gcp/storage/changes';
import {
  createObjectActions,
  destinationOf,
  type ObjectActions,
} from '../../../src/outcomes/post-load';
import { useMetadataEnv } from '../gcp/metadata-env';

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

  it('refuses a move to a bucket that does not exist, keeping the object', async () => {
    // A copy answered 404 while the source generation exists: the target is missing.
    const remove = jest.fn();
    const scripted = createObjectActions({
      changes: { copy: async () => 'gone', exists: async () => true, delete: remove },
    });
    const o = { bucket: 'landing', name: 'nowhere.csv', generation: '1' };
    await expect(
      scripted.apply({ action: 'move', to: 'gs://no-such-bucket/x/' }, o),
    ).rejects.toThrow(/target bucket does not exist/);
    expect(remove).not.toHaveBeenCalled();
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
    const changes = createObjectChanges({ retry: { budgetMs: 0 } });
    const flaky = createObjectActions({
      changes: {
        ...changes,
        delete: jest
          .fn()
          .mockRejectedValueOnce(new RetryableError('HTTP 503 backendError', { status: 503 }))
          .mockImplementation(changes.delete),
      },
    });
    const move = { action: 'move', to: 'gs://archive/flaky/' } as const;
    await expect(flaky.apply(move, o)).rejects.toBeInstanceOf(RetryableError);
    expect(gcs.store.get('landing', 'flaky.csv').generation).toBe(o.generation);
    expect(gcs.store.get('archive', 'flaky/flaky.csv')).toBeDefined();
    expect(await flaky.apply(move, o)).toBe('moved');
    expect(() => gcs.store.get('landing', 'flaky.csv')).toThrow();
  });
});
