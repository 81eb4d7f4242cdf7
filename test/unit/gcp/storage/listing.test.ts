/**
 * Streamed listings: page by page from the local GCS server, asking only for the fields a
 * sweep reads, each item checked by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGcsServer } from '../../../../dev/gcs/server';
import { PermanentError } from '../../../../src/errors';
import { createGoogleEdge } from '../../../../src/gcp/edge';
import {
  createObjectLister,
  type ListedObject,
  listedObject,
  OBJECT_LIST_FIELDS,
} from '../../../../src/gcp/storage/listing';
import { type FakeServer, startFakeServer } from '../fake-servers';
import { useMetadataEnv } from '../metadata-env';

async function all<T>(pages: AsyncGenerator<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('createObjectLister on the local GCS server', () => {
  let gcs: Awaited<ReturnType<typeof startGcsServer>>;
  let root: string;
  let restoreEnv: () => void;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'listing-'));
    gcs = await startGcsServer({ rootDir: root });
    restoreEnv = useMetadataEnv('127.0.0.1:9', { STORAGE_EMULATOR_HOST: gcs.emulatorHost });
    for (const name of ['in/a.csv', 'in/b c.csv', 'in/sub/c.csv', 'out/d.csv']) {
      gcs.store.insert('landing', name, Buffer.from('id\n1\n'), {
        contentType: 'text/csv',
        metadata: name === 'in/a.csv' ? { 'bq-autoloader-state': 'loaded' } : undefined,
      });
    }
    gcs.store.createBucket('archive');
  });

  afterAll(async () => {
    restoreEnv();
    await gcs.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('yields the objects under a prefix page by page, in name order', async () => {
    const pages = await all(createObjectLister({ pageSize: 2 }).listObjects('landing', 'in/'));

    expect(pages.map((page) => page.map((o) => o.name))).toEqual([
      ['in/a.csv', 'in/b c.csv'],
      ['in/sub/c.csv'],
    ]);
    const first = pages[0]?.[0] as ListedObject;
    expect(first).toEqual({
      bucket: 'landing',
      name: 'in/a.csv',
      generation: expect.stringMatching(/^\d+$/),
      metageneration: '1',
      size: 5,
      contentType: 'text/csv',
      metadata: { 'bq-autoloader-state': 'loaded' },
      timeCreated: expect.any(String),
      updated: expect.any(String),
    });
    expect(pages[0]?.[1]?.metadata).toEqual({});
  });

  it('lists the bucket names of the runtime project', async () => {
    const pages = await all(createObjectLister().listBuckets());
    expect(pages.flat()).toEqual(expect.arrayContaining(['landing', 'archive']));
  });
});

describe('createObjectLister requests', () => {
  let server: FakeServer;

  beforeEach(async () => {
    server = await startFakeServer();
  });

  afterEach(async () => {
    await server.close();
  });

  const lister = () =>
    createObjectLister({
      edge: createGoogleEdge({ env: { STORAGE_EMULATOR_HOST: `${server.url}/storage/v1` } }),
      retry: { initialDelayMs: 1, maxDelayMs: 2 },
    });

  it('asks only for the fields a sweep reads and follows the page token', async () => {
    server.answers.push(
      {
        status: 200,
        body: { items: [{ name: 'p/a', generation: '1', size: '3' }], nextPageToken: 'N' },
      },
      { status: 503, body: {} },
      { status: 200, body: { items: [{ name: 'p/b', generation: 2, size: 4 }] } },
    );

    const pages = await all(lister().listObjects('landing', 'p/'));

    expect(pages.flat().map((o) => [o.name, o.generation, o.size, o.metageneration])).toEqual([
      ['p/a', '1', 3, '1'],
      ['p/b', '2', 4, '1'],
    ]);
    const urls = server.requests.map((r) => new URL(r.url, server.url));
    expect(urls.map((u) => u.pathname)).toEqual(Array(3).fill('/storage/v1/b/landing/o'));
    expect(urls[0]?.searchParams.get('fields')).toBe(OBJECT_LIST_FIELDS);
    expect(urls[0]?.searchParams.get('prefix')).toBe('p/');
    expect(urls[0]?.searchParams.get('maxResults')).toBe('1000');
    expect(urls[0]?.searchParams.has('pageToken')).toBe(false);
    expect(urls[2]?.searchParams.get('pageToken')).toBe('N');
  });

  it('yields an empty page for an empty prefix', async () => {
    server.answers.push({ status: 200, body: {} });
    expect(await all(lister().listObjects('landing', 'none/'))).toEqual([[]]);
  });
});

describe('listedObject', () => {
  it.each([
    ['a missing name', { generation: '1', size: '1' }, 'item.name'],
    [
      'a generation that is not an int64',
      { name: 'a', generation: '1.5', size: '1' },
      'item.generation',
    ],
    ['a negative size', { name: 'a', generation: '1', size: -1 }, 'item.size'],
    ['a size beyond 2^53', { name: 'a', generation: '1', size: '9007199254740993' }, 'item.size'],
    [
      'a metadata string',
      { name: 'a', generation: '1', size: '1', metadata: 'x' },
      'item.metadata',
    ],
  ])('refuses an item with %s, naming the field', (_, item, field) => {
    expect(() => listedObject(item, 'b', 'Cloud Storage list gs://b/')).toThrow(PermanentError);
    expect(() => listedObject(item, 'b', 'Cloud Storage list gs://b/')).toThrow(
      new RegExp(
        `^Cloud Storage list gs://b/: unexpected object resource: ${field.replace('.', '\\.')}:`,
      ),
    );
  });
});
