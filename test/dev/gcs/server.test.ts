import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Storage } from '@google-cloud/storage';
import { type GcsServer, startGcsServer } from '../../../dev/gcs/server';

describe('the local GCS server, driven by @google-cloud/storage', () => {
  let rootDir: string;
  let server: GcsServer;
  let storage: Storage;

  beforeAll(async () => {
    rootDir = mkdtempSync(join(tmpdir(), 'bqal-gcs-'));
    server = await startGcsServer({ rootDir });
    storage = new Storage({ apiEndpoint: server.url, projectId: 'p' });
  });

  afterAll(async () => {
    await server.close();
    rmSync(rootDir, { recursive: true, force: true });
  });

  it('saves an object and serves its metadata and bytes', async () => {
    const file = storage.bucket('landing').file('sales/eu/2024-01-02.csv');
    await file.save('a,b\n1,2\n', {
      resumable: false,
      contentType: 'text/csv',
      metadata: { metadata: { source: 'test' } },
    });

    const [metadata] = await file.getMetadata();
    expect(metadata).toMatchObject({
      bucket: 'landing',
      name: 'sales/eu/2024-01-02.csv',
      size: '8',
      contentType: 'text/csv',
      metageneration: '1',
      metadata: { source: 'test' },
    });
    expect(metadata.generation).toMatch(/^\d+$/);
    const [bytes] = await file.download();
    expect(bytes.toString()).toBe('a,b\n1,2\n');
  });

  it('accepts a resumable upload, the client default', async () => {
    const file = storage.bucket('landing').file('resumable.ndjson');
    await file.save('{"a":1}\n{"a":2}\n', { contentType: 'application/x-ndjson' });
    const [metadata] = await file.getMetadata();
    expect(metadata).toMatchObject({ size: '16', contentType: 'application/x-ndjson' });
    const [bytes] = await file.download();
    expect(bytes.toString()).toBe('{"a":1}\n{"a":2}\n');
  });

  it('lists with paging, two objects per page over five', async () => {
    const bucket = storage.bucket('paging');
    for (const n of [1, 2, 3, 4, 5])
      await bucket.file(`obj-${n}.csv`).save(`${n}`, { resumable: false });

    const pages: string[][] = [];
    let pageToken: string | undefined;
    do {
      const [files, next] = await bucket.getFiles({
        maxResults: 2,
        autoPaginate: false,
        pageToken,
      });
      pages.push(files.map((f) => f.name));
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
    } while (pageToken);
    expect(pages).toEqual([['obj-1.csv', 'obj-2.csv'], ['obj-3.csv', 'obj-4.csv'], ['obj-5.csv']]);
  });

  it('lists with a prefix and a delimiter, folding deeper names into prefixes', async () => {
    const bucket = storage.bucket('tree');
    for (const name of ['in/a.csv', 'in/b.csv', 'in/deep/c.csv', 'in/other/d.csv', 'out/e.csv']) {
      await bucket.file(name).save('x', { resumable: false });
    }
    const [files, , response] = await bucket.getFiles({
      prefix: 'in/',
      delimiter: '/',
      autoPaginate: false,
    });
    expect(files.map((f) => f.name)).toEqual(['in/a.csv', 'in/b.csv']);
    expect((response as { prefixes?: string[] }).prefixes).toEqual(['in/deep/', 'in/other/']);
  });

  it('lists with matchGlob and startOffset', async () => {
    const bucket = storage.bucket('tree');
    const [globbed] = await bucket.getFiles({ matchGlob: 'in/**/*.csv' });
    expect(globbed.map((f) => f.name)).toEqual([
      'in/a.csv',
      'in/b.csv',
      'in/deep/c.csv',
      'in/other/d.csv',
    ]);
    const [offset] = await bucket.getFiles({ startOffset: 'in/deep/' });
    expect(offset.map((f) => f.name)).toEqual(['in/deep/c.csv', 'in/other/d.csv', 'out/e.csv']);
  });

  it('patches metadata under ifMetagenerationMatch, removes null keys, and refuses a stale metageneration with 412', async () => {
    const file = storage.bucket('landing').file('patch-me.csv');
    await file.save('x', { resumable: false, metadata: { metadata: { keep: '1', drop: '2' } } });

    const [patched] = await file.setMetadata(
      { metadata: { 'bq-autoloader-state': 'claimed', drop: null } },
      { ifMetagenerationMatch: 1 },
    );
    expect(patched.metageneration).toBe('2');
    expect(patched.metadata).toEqual({ keep: '1', 'bq-autoloader-state': 'claimed' });

    const stale = file.setMetadata({ metadata: { x: 'y' } }, { ifMetagenerationMatch: 1 });
    await expect(stale).rejects.toMatchObject({ code: 412 });
    const raw = await fetch(
      `${server.emulatorHost}/b/landing/o/patch-me.csv?ifMetagenerationMatch=1`,
      {
        method: 'PATCH',
        body: '{}',
      },
    );
    expect(raw.status).toBe(412);
    expect(await raw.json()).toMatchObject({
      error: { code: 412, errors: [{ reason: 'conditionNotMet' }] },
    });
  });

  it('copies to another bucket as a new object with the same bytes and metadata', async () => {
    const source = storage.bucket('landing').file('copy-src.csv');
    await source.save('copy me', { resumable: false, metadata: { metadata: { k: 'v' } } });
    const [copy] = await source.copy(storage.bucket('archive').file('copied/copy-src.csv'));
    const [metadata] = await copy.getMetadata();
    expect(metadata).toMatchObject({
      bucket: 'archive',
      name: 'copied/copy-src.csv',
      size: '7',
      metadata: { k: 'v' },
    });
    expect((await copy.download())[0].toString()).toBe('copy me');
    expect((await source.exists())[0]).toBe(true);
  });

  it('moves with file.move (copy + delete) and atomically with moveFileAtomic (moveTo)', async () => {
    const bucket = storage.bucket('landing');
    await bucket.file('move-a.csv').save('aaa', { resumable: false });
    await bucket.file('move-b.csv').save('bbb', { resumable: false });

    await bucket.file('move-a.csv').move('done/move-a.csv');
    await bucket.file('move-b.csv').moveFileAtomic('done/move-b.csv');

    const [files] = await bucket.getFiles({ prefix: 'done/' });
    expect(files.map((f) => f.name)).toEqual(['done/move-a.csv', 'done/move-b.csv']);
    expect((await bucket.file('move-a.csv').exists())[0]).toBe(false);
    expect((await bucket.file('move-b.csv').exists())[0]).toBe(false);
    expect((await bucket.file('done/move-b.csv').download())[0].toString()).toBe('bbb');
  });

  it('deletes only under a matching ifGenerationMatch', async () => {
    const file = storage.bucket('landing').file('delete-me.csv');
    await file.save('x', { resumable: false });
    const [metadata] = await file.getMetadata();

    await expect(
      file.delete({ ifGenerationMatch: Number(metadata.generation) - 1 }),
    ).rejects.toMatchObject({ code: 412 });
    await file.delete({ ifGenerationMatch: metadata.generation });
    expect((await file.exists())[0]).toBe(false);
    await expect(file.getMetadata()).rejects.toMatchObject({ code: 404 });
  });

  it('refuses an insert with ifGenerationMatch=0 when the object exists', async () => {
    const file = storage.bucket('landing').file('only-once.csv');
    await file.save('first', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
    const second = file.save('second', {
      resumable: false,
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    await expect(second).rejects.toMatchObject({ code: 412 });
    expect((await file.download())[0].toString()).toBe('first');
  });

  it('answers 404 for a generation that is not the live one', async () => {
    const file = storage.bucket('landing').file('gen.csv');
    await file.save('x', { resumable: false });
    const [metadata] = await file.getMetadata();
    const old = storage
      .bucket('landing')
      .file('gen.csv', { generation: Number(metadata.generation) - 1 });
    await expect(old.getMetadata()).rejects.toMatchObject({ code: 404 });
  });

  it('serves a gzip-encoded object decompressed to the client, as GCS transcodes', async () => {
    const file = storage.bucket('landing').file('packed.csv.gz');
    await file.save(gzipSync('a,b\n1,2\n'), {
      resumable: false,
      metadata: { contentEncoding: 'gzip', contentType: 'text/csv' },
    });
    const [metadata] = await file.getMetadata();
    expect(metadata).toMatchObject({ contentEncoding: 'gzip', contentType: 'text/csv' });
    expect((await file.download())[0].toString()).toBe('a,b\n1,2\n');
    const raw = await fetch(
      `${server.url}/download/storage/v1/b/landing/o/packed.csv.gz?alt=media`,
      {
        headers: { 'Accept-Encoding': 'identity' },
      },
    );
    expect(await raw.text()).toBe('a,b\n1,2\n');
  });

  it('gets and lists buckets', async () => {
    const [metadata] = await storage.bucket('landing').getMetadata();
    expect(metadata.name).toBe('landing');
    const [buckets] = await storage.getBuckets();
    expect(buckets.map((b) => b.name)).toEqual(
      expect.arrayContaining(['archive', 'landing', 'paging', 'tree']),
    );
  });
});
