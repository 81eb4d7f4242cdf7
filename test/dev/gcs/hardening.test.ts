/**
 * The local GCS server is reachable by anything on this machine, browsers included: it
 * refuses foreign hosts and cross-site requests, keeps every name inside its folder, limits
 * bodies, and a move that cannot complete leaves its source where it was.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GcsServer, startGcsServer } from '../../../dev/gcs/server';
import { rawRequest } from '../../support/raw-http';

let rootDir: string;
let server: GcsServer;
beforeEach(async () => {
  rootDir = mkdtempSync(join(tmpdir(), 'bqal-gcs-hard-'));
  server = await startGcsServer({ rootDir, maxBodyBytes: 1024 });
  server.store.createBucket('landing');
});
afterEach(async () => {
  await server.close();
  rmSync(rootDir, { recursive: true, force: true });
});

function upload(name: string, body: string, headers: Record<string, string> = {}) {
  const url = `${server.url}/upload/storage/v1/b/landing/o?uploadType=media&name=${encodeURIComponent(name)}`;
  return rawRequest(url, {
    method: 'POST',
    headers: { 'Content-Type': 'text/csv', ...headers },
    body,
  });
}

describe('requests from elsewhere', () => {
  it('accepts 127.0.0.1:PORT and localhost:PORT as Host', async () => {
    const port = new URL(server.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
      expect((await upload('ok.csv', 'a\n', { Host: host })).status).toBe(200);
    }
  });

  it.each([
    [{ Host: 'attacker.example' }],
    [{ Origin: 'http://attacker.example' }],
    [{ 'Sec-Fetch-Site': 'cross-site' }],
  ])('refuses %j with 403 and writes nothing', async (headers) => {
    const res = await upload('forged.csv', 'a\n', headers);
    expect(res.status).toBe(403);
    expect(existsSync(join(rootDir, 'buckets', 'landing', 'forged.csv'))).toBe(false);
  });
});

describe('names never reach outside the folder', () => {
  it.each([
    '..%2F..%2Foutside.csv',
    '%2E%2E%2Foutside.csv',
    '%2Fetc%2Foutside.csv',
    'a%00b.csv',
    'a%2F%2Fb.csv',
  ])('refuses object name %s', async (encoded) => {
    const res = await rawRequest(`${server.url}/storage/v1/b/landing/o/${encoded}`);
    expect(res.status).toBe(400);
    const up = await rawRequest(
      `${server.url}/upload/storage/v1/b/landing/o?uploadType=media&name=${encoded}`,
      { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: 'x\n' },
    );
    expect(up.status).toBe(400);
    expect(existsSync(join(rootDir, 'outside.csv'))).toBe(false);
    expect(existsSync(join(tmpdir(), 'outside.csv'))).toBe(false);
  });

  // `..` and `%2E%2E` are dot-segments that URL parsing removes: the path names no bucket (404).
  it.each(['..', '.gcs-meta', '%2E%2E', 'a%2Fb', '%00'])('refuses bucket %s', async (bucket) => {
    const res = await rawRequest(`${server.url}/storage/v1/b/${bucket}/o/x.csv`);
    expect([400, 404]).toContain(res.status);
  });
});

describe('moves', () => {
  it('leaves the source intact when the move cannot complete', async () => {
    expect((await upload('src.csv', 'a,b\n1,2\n')).status).toBe(200);
    // A file `taken` makes `taken/x.csv` impossible on a file system.
    expect((await upload('taken', 'file\n')).status).toBe(200);

    const res = await rawRequest(
      `${server.url}/storage/v1/b/landing/o/src.csv/moveTo/o/${encodeURIComponent('taken/x.csv')}`,
      { method: 'POST' },
    );

    expect(res.status).toBe(400);
    const path = join(rootDir, 'buckets', 'landing', 'src.csv');
    expect(readFileSync(path, 'utf8')).toBe('a,b\n1,2\n');
    const meta = await rawRequest(`${server.url}/storage/v1/b/landing/o/src.csv`);
    expect(meta.status).toBe(200);
    expect(JSON.parse(meta.body)).toMatchObject({ name: 'src.csv', size: '8' });
  });
});

describe('request bodies', () => {
  it('answers 413 to a body over the limit and stores nothing', async () => {
    const res = await upload('big.csv', 'x'.repeat(4096));
    expect(res.status).toBe(413);
    expect(existsSync(join(rootDir, 'buckets', 'landing', 'big.csv'))).toBe(false);
  });

  it('answers 413 to a chunked body that grows over the limit', async () => {
    writeFileSync(join(rootDir, 'marker'), '');
    const url = `${server.url}/upload/storage/v1/b/landing/o?uploadType=media&name=chunked.csv`;
    const res = await rawRequest(url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', 'Transfer-Encoding': 'chunked' },
      body: 'x'.repeat(4096),
    });
    expect(res.status).toBe(413);
  });
});

describe('an object whose bytes vanish after its metadata was read (a concurrent delete)', () => {
  it('is a 404 for its media, and the server keeps answering', async () => {
    server.store.insert('landing', 'gone.csv', Buffer.from('a\n'), {});
    rmSync(server.store.objectPath('landing', 'gone.csv'));
    const media = `${server.url}/download/storage/v1/b/landing/o/gone.csv?alt=media`;
    const res = await rawRequest(media, { method: 'GET' });
    expect(res.status).toBe(404);
    expect((await upload('after.csv', 'b\n')).status).toBe(200);
  });
});
