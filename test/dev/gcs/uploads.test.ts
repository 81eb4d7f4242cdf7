/** Upload protocols against requests built byte for byte as the JSON API documents them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GcsServer, startGcsServer } from '../../../dev/gcs/server';

describe('the local GCS server upload protocols', () => {
  let rootDir: string;
  let server: GcsServer;

  beforeAll(async () => {
    rootDir = mkdtempSync(join(tmpdir(), 'bqal-gcs-up-'));
    server = await startGcsServer({ rootDir });
  });

  afterAll(async () => {
    await server.close();
    rmSync(rootDir, { recursive: true, force: true });
  });

  const media = (bucket: string, name: string, init?: RequestInit) =>
    fetch(
      `${server.url}/download/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?alt=media`,
      init,
    );

  it('stores a multipart/related upload: JSON metadata part, then the bytes', async () => {
    const body = [
      '--BOUNDARY\r\n',
      'Content-Type: application/json; charset=UTF-8\r\n\r\n',
      JSON.stringify({ name: 'multi/part.csv', metadata: { origin: 'raw' } }),
      '\r\n--BOUNDARY\r\n',
      'Content-Type: text/csv\r\n\r\n',
      'x,y\r\n1,2\r\n',
      '\r\n--BOUNDARY--\r\n',
    ].join('');
    const res = await fetch(`${server.url}/upload/storage/v1/b/raw-bucket/o?uploadType=multipart`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/related; boundary=BOUNDARY' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: 'multi/part.csv',
      size: '10',
      contentType: 'text/csv',
      metadata: { origin: 'raw' },
    });
    expect(await (await media('raw-bucket', 'multi/part.csv')).text()).toBe('x,y\r\n1,2\r\n');
  });

  it('stores a chunked resumable upload, answering 308 with the received range until the last chunk', async () => {
    const start = await fetch(
      `${server.url}/upload/storage/v1/b/raw-bucket/o?uploadType=resumable&name=chunked.bin`,
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Upload-Content-Type': 'application/octet-stream',
        },
        body: '{}',
      },
    );
    expect(start.status).toBe(200);
    const session = start.headers.get('location') ?? '';
    expect(session).toContain('upload_id=');

    const first = await fetch(session, {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes 0-3/*' },
      body: 'abcd',
    });
    expect(first.status).toBe(308);
    expect(first.headers.get('range')).toBe('bytes=0-3');

    const status = await fetch(session, {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes */*' },
    });
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBe('bytes=0-3');

    const last = await fetch(session, {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes 4-6/7' },
      body: 'efg',
    });
    expect(last.status).toBe(200);
    expect(await last.json()).toMatchObject({
      name: 'chunked.bin',
      size: '7',
      contentType: 'application/octet-stream',
    });
    expect(await (await media('raw-bucket', 'chunked.bin')).text()).toBe('abcdefg');

    const gone = await fetch(session, { method: 'PUT', headers: { 'Content-Range': 'bytes */7' } });
    expect(gone.status).toBe(404);
  });

  it('serves a byte range and the x-goog-hash header on download', async () => {
    await fetch(
      `${server.url}/upload/storage/v1/b/raw-bucket/o?uploadType=media&name=${encodeURIComponent('a/b c.txt')}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: '0123456789',
      },
    );
    const res = await media('raw-bucket', 'a/b c.txt', { headers: { Range: 'bytes=2-4' } });
    expect(res.status).toBe(206);
    expect(await res.text()).toBe('234');
    expect(res.headers.get('x-goog-hash')).toMatch(/^crc32c=.+,md5=.+$/);
  });

  it('answers an unknown object with a GCS-shaped 404', async () => {
    const res = await fetch(
      `${server.emulatorHost}/b/raw-bucket/o/${encodeURIComponent('no/such.csv')}`,
    );
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      error: { code: 404, errors: [{ reason: 'notFound' }] },
    });
  });
});
