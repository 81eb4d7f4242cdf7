/**
 * The Upload URI of jobs.insert, checked request by request against a scripted server:
 * the multipart/related body byte for byte, and the resumable protocol (session, chunk
 * ranges, 308 + Range, status query after a failed chunk, resume from the server's Range).
 * https://cloud.google.com/bigquery/docs/reference/api-uploads
 */
import { GoogleAuth } from 'google-auth-library';
import { buildMultipartBody } from '../../../../src/gcp/bigquery/multipart';
import {
  chunkAt,
  chunkRange,
  nextOffset,
  statusRange,
} from '../../../../src/gcp/bigquery/resumable';
import { createUploadClient } from '../../../../src/gcp/bigquery/upload';
import { createGoogleEdge } from '../../../../src/gcp/edge';
import type { LoadPlan } from '../../../../src/types';
import { type FakeServer, startFakeServer, startMetadataServer } from '../fake-servers';
import { useMetadataEnv } from '../metadata-env';

const TINY_RETRY = { initialDelayMs: 1, maxDelayMs: 5, budgetMs: 2_000 };
const KIB256 = 256 * 1024;

function plan(): LoadPlan {
  const jobId = 'bqal_events_inline_ab12';
  return {
    route: 'events',
    projectId: 'billing-project',
    location: 'EU',
    jobId,
    object: 'pubsub://projects/p/topics/t/messages/1',
    job: {
      jobReference: { projectId: 'billing-project', jobId, location: 'EU' },
      configuration: {
        load: {
          destinationTable: { projectId: 'p', datasetId: 'raw', tableId: 'events' },
          sourceFormat: 'NEWLINE_DELIMITED_JSON',
        },
        labels: { 'bq-autoloader-route': 'events' },
      },
    },
  };
}

/** ASCII so the fake server's text recording is the bytes. */
function payload(bytes: number): Buffer {
  return Buffer.from(
    Array.from({ length: bytes }, (_, i) => String.fromCharCode(97 + (i % 26))).join(''),
  );
}

describe('buildMultipartBody', () => {
  it('is exactly the multipart/related entity of the Upload URI: JSON part, media part, closing boundary', () => {
    const media = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x41]);
    const { contentType, body } = buildMultipartBody({ a: 1 }, media, 'B0UND');

    expect(contentType).toBe('multipart/related; boundary=B0UND');
    const expected = Buffer.concat([
      Buffer.from(
        '--B0UND\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{"a":1}\r\n' +
          '--B0UND\r\nContent-Type: application/octet-stream\r\n\r\n',
      ),
      media,
      Buffer.from('\r\n--B0UND--\r\n'),
    ]);
    expect(body.equals(expected)).toBe(true);
  });

  it('picks a fresh random boundary for each body', () => {
    const a = buildMultipartBody({}, Buffer.from('x'));
    const b = buildMultipartBody({}, Buffer.from('x'));
    const boundary = a.contentType.split('boundary=')[1] ?? '';
    expect(boundary).toMatch(/^bqal_[0-9a-f]{32}$/);
    expect(a.contentType).not.toBe(b.contentType);
  });
});

describe('resumable helpers', () => {
  it.each([
    { name: 'first chunk', args: [0, KIB256, 700_000], expected: 'bytes 0-262143/700000' },
    {
      name: 'last short chunk',
      args: [524_288, 175_712, 700_000],
      expected: 'bytes 524288-699999/700000',
    },
  ])('chunkRange for the $name', ({ args, expected }) => {
    const [first = 0, length = 0, total = 0] = args;
    expect(chunkRange(first, length, total)).toBe(expected);
  });

  it.each([
    { range: undefined, expected: 0 },
    { range: '', expected: 0 },
    { range: 'bytes=0-262143', expected: 262_144 },
    { range: 'bytes=5-9', expected: undefined },
    { range: 'garbage', expected: undefined },
  ])('nextOffset($range) is $expected', ({ range, expected }) => {
    expect(nextOffset(range)).toBe(expected);
  });

  it('asks for status with bytes */total and refuses chunk sizes the protocol does not allow', () => {
    expect(statusRange(42)).toBe('bytes */42');
    expect(chunkAt(KIB256, 300_000, KIB256)).toEqual([KIB256, 300_000 - KIB256]);
    expect(() => chunkAt(0, 10, 1000)).toThrow(/multiple of 262144/);
  });
});

describe('createUploadClient', () => {
  let metadata: FakeServer;
  let bigquery: FakeServer;
  let restoreEnv: () => void;

  beforeAll(async () => {
    metadata = await startMetadataServer();
    restoreEnv = useMetadataEnv(metadata.host);
  });

  afterAll(async () => {
    restoreEnv();
    await metadata.close();
  });

  beforeEach(async () => {
    bigquery = await startFakeServer();
  });

  afterEach(async () => {
    await bigquery.close();
  });

  const gets: string[] = [];
  function client() {
    return createUploadClient({
      edge: createGoogleEdge({
        env: { BIGQUERY_EMULATOR_HOST: bigquery.host },
        auth: new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/bigquery'] }),
      }),
      retry: TINY_RETRY,
      getJob: async (projectId, jobId, location) => {
        gets.push(`${projectId}/${jobId}/${location}`);
        // The existing job is the one this plan describes (a decoy is refused: client tests).
        return {
          jobReference: { jobId },
          configuration: plan().job.configuration,
          status: { state: 'DONE' },
        };
      },
    });
  }

  it('sends a payload up to the threshold as one multipart request, byte for byte', async () => {
    bigquery.answers.push({ status: 200, body: { status: { state: 'RUNNING' } } });
    const data = payload(1000);

    const result = await client().uploadJob(plan(), data, { resumableThresholdBytes: 1000 });

    expect(result).toEqual({ outcome: 'submitted', job: { status: { state: 'RUNNING' } } });
    expect(bigquery.requests).toHaveLength(1);
    const [request] = bigquery.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(
      '/upload/bigquery/v2/projects/billing-project/jobs?uploadType=multipart',
    );
    expect(request?.headers.authorization).toBe('Bearer t');
    const boundary = String(request?.headers['content-type']).replace(
      /^multipart\/related; boundary=/,
      '',
    );
    expect(request?.body).toBe(
      buildMultipartBody(plan().job, data, boundary).body.toString('utf8'),
    );
  });

  it('treats 409 duplicate as the existing job, read with jobs.get', async () => {
    gets.length = 0;
    bigquery.answers.push({
      status: 409,
      body: { error: { code: 409, message: 'Already Exists', errors: [{ reason: 'duplicate' }] } },
    });
    const result = await client().uploadJob(plan(), payload(10));
    expect(result.outcome).toBe('duplicate');
    expect(gets).toEqual(['billing-project/bqal_events_inline_ab12/EU']);
  });

  it('uploads a larger payload in 256 KiB chunks and resumes from the server Range after a failed chunk', async () => {
    const total = 2 * KIB256 + 1000;
    const data = payload(total);
    const session = `http://${bigquery.host}/upload/bigquery/v2/projects/billing-project/jobs?uploadType=resumable&upload_id=S1`;
    bigquery.answers.push(
      { status: 200, headers: { Location: session }, body: '' },
      // chunk 1 accepted
      { status: 308, headers: { Range: `bytes=0-${KIB256 - 1}` }, body: '' },
      // chunk 2 fails on the way
      { status: 503, body: { error: { code: 503, message: 'unavailable' } } },
      // status query: the server kept only chunk 1
      { status: 308, headers: { Range: `bytes=0-${KIB256 - 1}` }, body: '' },
      // chunk 2 again, then the last one completes the upload
      { status: 308, headers: { Range: `bytes=0-${2 * KIB256 - 1}` }, body: '' },
      { status: 200, body: { status: { state: 'PENDING' } } },
    );

    const result = await client().uploadJob(plan(), data, {
      resumableThresholdBytes: KIB256,
      chunkBytes: KIB256,
    });

    expect(result).toEqual({ outcome: 'submitted', job: { status: { state: 'PENDING' } } });
    const [open, ...puts] = bigquery.requests;
    expect(open?.method).toBe('POST');
    expect(open?.url).toBe(
      '/upload/bigquery/v2/projects/billing-project/jobs?uploadType=resumable',
    );
    expect(open?.headers['x-upload-content-length']).toBe(String(total));
    expect(JSON.parse(open?.body ?? '{}')).toEqual(plan().job);
    expect(puts.map((r) => [r.method, r.url, r.headers['content-range'], r.body.length])).toEqual([
      [
        'PUT',
        '/upload/bigquery/v2/projects/billing-project/jobs?uploadType=resumable&upload_id=S1',
        `bytes 0-${KIB256 - 1}/${total}`,
        KIB256,
      ],
      ['PUT', expect.any(String), `bytes ${KIB256}-${2 * KIB256 - 1}/${total}`, KIB256],
      ['PUT', expect.any(String), `bytes */${total}`, 0],
      ['PUT', expect.any(String), `bytes ${KIB256}-${2 * KIB256 - 1}/${total}`, KIB256],
      ['PUT', expect.any(String), `bytes ${2 * KIB256}-${total - 1}/${total}`, 1000],
    ]);
    expect(puts[3]?.body).toBe(data.subarray(KIB256, 2 * KIB256).toString('utf8'));
    expect(puts[4]?.body).toBe(data.subarray(2 * KIB256).toString('utf8'));
  });

  it('skips what the server already has when a chunk answer was lost after it was stored', async () => {
    const total = KIB256 + 10;
    const session = `http://${bigquery.host}/upload/s?upload_id=S2`;
    bigquery.answers.push(
      { status: 200, headers: { Location: session }, body: '' },
      'reset',
      { status: 308, headers: { Range: `bytes=0-${KIB256 - 1}` }, body: '' },
      { status: 201, body: { status: { state: 'DONE' } } },
    );
    const result = await client().uploadJob(plan(), payload(total), {
      resumableThresholdBytes: 0,
      chunkBytes: KIB256,
    });
    expect(result.outcome).toBe('submitted');
    expect(bigquery.requests.slice(1).map((r) => r.headers['content-range'])).toEqual([
      `bytes 0-${KIB256 - 1}/${total}`,
      `bytes */${total}`,
      `bytes ${KIB256}-${total - 1}/${total}`,
    ]);
  });

  it('asks for the job with a status query when a 308 reports every byte received', async () => {
    const total = KIB256 + 10;
    const session = `http://${bigquery.host}/upload/s?upload_id=S3`;
    bigquery.answers.push(
      { status: 200, headers: { Location: session }, body: '' },
      { status: 308, headers: { Range: `bytes=0-${KIB256 - 1}` }, body: '' },
      { status: 308, headers: { Range: `bytes=0-${total - 1}` }, body: '' },
      { status: 201, body: { status: { state: 'DONE' } } },
    );
    const result = await client().uploadJob(plan(), payload(total), {
      resumableThresholdBytes: 0,
      chunkBytes: KIB256,
    });
    expect(result).toEqual({ outcome: 'submitted', job: { status: { state: 'DONE' } } });
    expect(bigquery.requests.slice(1).map((r) => r.headers['content-range'])).toEqual([
      `bytes 0-${KIB256 - 1}/${total}`,
      `bytes ${KIB256}-${total - 1}/${total}`,
      `bytes */${total}`,
    ]);
  });
});
