/** Copies and deletes pinned to one generation: the rewrite loop and the preconditions. */
import { RetryableError } from '../../../../src/errors';
import { createGoogleEdge } from '../../../../src/gcp/edge';
import { createObjectChanges } from '../../../../src/gcp/storage/changes';
import { type FakeServer, startFakeServer } from '../fake-servers';

describe('createObjectChanges', () => {
  let gcs: FakeServer;

  beforeEach(async () => {
    gcs = await startFakeServer();
  });

  afterEach(async () => {
    await gcs.close();
  });

  const changes = () =>
    createObjectChanges({
      edge: createGoogleEdge({ env: { STORAGE_EMULATOR_HOST: `${gcs.url}/storage/v1` } }),
      retry: { initialDelayMs: 1, maxDelayMs: 2, budgetMs: 2_000 },
    });
  const source = { bucket: 'landing', name: 'in/a b.csv', generation: '42' };
  const urls = () => gcs.requests.map((r) => new URL(r.url, gcs.url));

  it('copies that generation with objects.rewrite, sending the token back until done', async () => {
    gcs.answers.push(
      { status: 200, body: { done: false, rewriteToken: 'R1' } },
      { status: 503, body: {} },
      { status: 200, body: { done: false, rewriteToken: 'R2' } },
      { status: 200, body: { done: true, resource: {} } },
    );

    await expect(
      changes().copy(source, { bucket: 'archive', name: 'done/in/a b.csv' }),
    ).resolves.toBe('done');

    expect(urls().map((u) => u.pathname)).toEqual(
      Array(4).fill(
        '/storage/v1/b/landing/o/in%2Fa%20b.csv/rewriteTo/b/archive/o/done%2Fin%2Fa%20b.csv',
      ),
    );
    expect(urls().map((u) => u.searchParams.get('sourceGeneration'))).toEqual(Array(4).fill('42'));
    expect(urls().map((u) => u.searchParams.get('rewriteToken'))).toEqual([null, 'R1', 'R1', 'R2']);
    expect(gcs.requests[0]?.body).toBe('{}');
  });

  it('answers gone when the generation to copy does not exist', async () => {
    gcs.answers.push({ status: 404, body: { error: { code: 404, message: 'No such object' } } });
    await expect(changes().copy(source, { bucket: 'archive', name: 'x' })).resolves.toBe('gone');
  });

  it('does not loop on a rewrite answer without a token', async () => {
    gcs.answers.push({ status: 200, body: { done: false } });
    await expect(changes().copy(source, { bucket: 'archive', name: 'x' })).rejects.toBeInstanceOf(
      RetryableError,
    );
  });

  it('deletes only that generation, and a gone one is gone', async () => {
    gcs.answers.push({ status: 204 }, { status: 412, body: {} }, { status: 404, body: {} });

    expect(await changes().delete(source)).toBe('done');
    expect(await changes().delete(source)).toBe('gone');
    expect(await changes().delete(source)).toBe('gone');
    expect(gcs.requests[0]?.method).toBe('DELETE');
    expect(urls()[0]?.searchParams.get('ifGenerationMatch')).toBe('42');
  });

  it('tells whether exactly that generation exists', async () => {
    gcs.answers.push({ status: 200, body: { generation: '42' } }, { status: 404, body: {} });

    expect(await changes().exists(source)).toBe(true);
    expect(await changes().exists(source)).toBe(false);
    expect(urls()[0]?.searchParams.get('generation')).toBe('42');
  });

  describe('snapshot', () => {
    const target = { bucket: 'landing', name: '.bq-autoloader/snapshots/bqal_r_1/in/a b.csv' };
    const refused = { status: 412, body: { error: { code: 412, message: 'conditionNotMet' } } };

    it('copies exactly that generation, only if the snapshot does not exist yet', async () => {
      gcs.answers.push({ status: 200, body: { done: true, resource: {} } });
      await expect(changes().snapshot(source, target)).resolves.toBe('copied');
      const [url] = urls();
      expect(url?.searchParams.get('sourceGeneration')).toBe('42');
      expect(url?.searchParams.get('ifSourceGenerationMatch')).toBe('42');
      expect(url?.searchParams.get('ifGenerationMatch')).toBe('0');
    });

    it('answers exists when a 412 comes from an earlier copy (the snapshot is there)', async () => {
      gcs.answers.push(refused, { status: 200, body: { generation: '9' } });
      await expect(changes().snapshot(source, target)).resolves.toBe('exists');
      expect(urls()[1]?.pathname).toBe(
        `/storage/v1/b/landing/o/${encodeURIComponent(target.name)}`,
      );
    });

    it('answers gone when the generation is gone and no snapshot exists', async () => {
      gcs.answers.push(refused, { status: 404, body: { error: { code: 404 } } });
      await expect(changes().snapshot(source, target)).resolves.toBe('gone');
    });

    it('discards whatever generation the snapshot has; a missing one is gone', async () => {
      gcs.answers.push({ status: 204, body: {} }, { status: 404, body: { error: { code: 404 } } });
      await expect(changes().discard(target)).resolves.toBe('done');
      await expect(changes().discard(target)).resolves.toBe('gone');
      expect(gcs.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
      expect(urls()[0]?.searchParams.get('ifGenerationMatch')).toBeNull();
    });
  });
});
