/**
 * The upload URI, with requests built byte-for-byte as the API defines them:
 * https://cloud.google.com/bigquery/docs/reference/api-uploads
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, type Harness, PROJECT, SALES_SCHEMA, startHarness } from './helpers';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const CRLF = '\r\n';
const uploadUrl = (type: string) =>
  `/upload/bigquery/v2/projects/${PROJECT}/jobs?uploadType=${type}`;

function uploadJob(jobId: string) {
  return {
    jobReference: { projectId: PROJECT, jobId, location: 'US' },
    configuration: {
      load: {
        destinationTable: { projectId: PROJECT, datasetId: 'raw', tableId: 'uploaded' },
        sourceFormat: 'CSV',
        skipLeadingRows: 1,
        schema: SALES_SCHEMA,
      },
    },
  };
}

function multipartBody(boundary: string, job: unknown, media: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${boundary}${CRLF}Content-Type: application/json; charset=UTF-8${CRLF}${CRLF}` +
        `${JSON.stringify(job)}${CRLF}--${boundary}${CRLF}` +
        `Content-Type: application/octet-stream${CRLF}${CRLF}`,
    ),
    media,
    Buffer.from(`${CRLF}--${boundary}--`),
  ]);
}

/** `rows` CSV lines after a header: about 27 bytes each. */
function bigCsv(rows: number): Buffer {
  const lines = ['id,name,amount'];
  for (let i = 1; i <= rows; i++) lines.push(`${i},name-${String(i).padStart(8, '0')},${i}.5`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

describe('multipart upload', () => {
  it('loads the bytes of the second part and records the request byte for byte', async () => {
    const boundary = 'bq_autoloader_boundary_1';
    const body = multipartBody(
      boundary,
      uploadJob('mp-1'),
      readFileSync(join(FIXTURES, 'sales.csv')),
    );

    const res = await fetch(`${h.server.url}${uploadUrl('multipart')}`, {
      method: 'POST',
      headers: { 'Content-Type': `multipart/related; boundary=${boundary}` },
      body: new Uint8Array(body),
    });
    const job = await h.server.waitForJob(PROJECT, 'mp-1');

    expect(res.status).toBe(200);
    expect(job.status).toEqual({ state: 'DONE' });
    expect(await h.server.query('SELECT count(*) AS n FROM raw.uploaded')).toEqual([{ n: 3 }]);
    expect(h.server.requests[0]?.body.equals(body)).toBe(true);
    expect(h.server.requests[0]?.path).toBe(uploadUrl('multipart'));
  });

  it.each([
    [
      'LF line ends',
      (b: Buffer) => Buffer.from(b.toString('latin1').replaceAll(CRLF, '\n'), 'latin1'),
    ],
    ['no closing delimiter', (b: Buffer) => b.subarray(0, b.length - 2)],
    [
      'a third part',
      (b: Buffer) =>
        Buffer.concat([
          b.subarray(0, b.length - 2),
          Buffer.from(`${CRLF}Content-Type: text/plain${CRLF}${CRLF}x${CRLF}--B--`),
        ]),
    ],
  ])('refuses a body with %s as 400 invalid', async (_case, mangle) => {
    const body = mangle(multipartBody('B', uploadJob('mp-bad'), Buffer.from('id\n1\n')));

    const res = await fetch(`${h.server.url}${uploadUrl('multipart')}`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/related; boundary=B' },
      body: new Uint8Array(body),
    });

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { errors: [{ reason: 'invalid' }] } });
  });
});

describe('resumable upload', () => {
  it('takes 256 KiB chunks, answers 308 with Range and a status query, then 200 with the Job', async () => {
    const data = bigCsv(20000);
    const chunk = 256 * 1024;
    expect(data.length).toBeGreaterThan(2 * chunk);
    const start = await fetch(`${h.server.url}${uploadUrl('resumable')}`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json; charset=UTF-8',
        'X-Upload-Content-Type': 'application/octet-stream',
        'X-Upload-Content-Length': String(data.length),
      },
      body: JSON.stringify(uploadJob('rs-1')),
    });
    expect(start.status).toBe(200);
    const session = start.headers.get('location') ?? '';
    expect(session.startsWith(`${h.server.url}/upload/bigquery/v2/projects/${PROJECT}/jobs?`)).toBe(
      true,
    );

    const put = (body: Buffer, range: string) =>
      fetch(session, {
        method: 'PUT',
        headers: { 'Content-Range': range },
        body: new Uint8Array(body),
      });
    const first = await put(data.subarray(0, chunk), `bytes 0-${chunk - 1}/${data.length}`);
    const status = await put(Buffer.alloc(0), `bytes */${data.length}`);
    const second = await put(
      data.subarray(chunk, 2 * chunk),
      `bytes ${chunk}-${2 * chunk - 1}/${data.length}`,
    );
    const last = await put(
      data.subarray(2 * chunk),
      `bytes ${2 * chunk}-${data.length - 1}/${data.length}`,
    );

    expect([first.status, status.status, second.status]).toEqual([308, 308, 308]);
    expect(first.headers.get('range')).toBe(`bytes=0-${chunk - 1}`);
    expect(status.headers.get('range')).toBe(`bytes=0-${chunk - 1}`);
    expect(second.headers.get('range')).toBe(`bytes=0-${2 * chunk - 1}`);
    expect(last.status).toBe(200);
    expect(((await last.json()) as { jobReference: { jobId: string } }).jobReference.jobId).toBe(
      'rs-1',
    );
    const job = await h.server.waitForJob(PROJECT, 'rs-1');
    expect(job.statistics.load).toMatchObject({
      outputRows: '20000',
      inputFileBytes: String(data.length),
    });
    expect(await h.server.query('SELECT max(id) AS top FROM raw.uploaded')).toEqual([
      { top: 20000 },
    ]);
  });

  it('refuses a non-final chunk that is not a multiple of 256 KiB', async () => {
    const start = await fetch(`${h.server.url}${uploadUrl('resumable')}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(uploadJob('rs-2')),
    });

    const res = await fetch(start.headers.get('location') ?? '', {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes 0-9/100' },
      body: new Uint8Array(10),
    });

    expect(res.status).toBe(400);
  });

  it('answers 404 for an unknown session', async () => {
    const res = await fetch(`${h.server.url}${uploadUrl('resumable')}&upload_id=nope`, {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes */10' },
    });

    expect(res.status).toBe(404);
  });
});
