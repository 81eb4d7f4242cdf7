/**
 * The edge: the cached token on every authenticated request, a 401 refreshing it once,
 * credentials withheld from emulators, and failures classified.
 */
import { GoogleAuth } from 'google-auth-library';
import { PermanentError, RetryableError } from '../../../src/errors';
import { createGoogleEdge, type GoogleEdge } from '../../../src/gcp/edge';
import { type FakeServer, startFakeServer, startMetadataServer } from './fake-servers';
import { useMetadataEnv } from './metadata-env';

describe('createGoogleEdge', () => {
  let metadata: FakeServer;
  let api: FakeServer;
  let edge: GoogleEdge;
  let restoreEnv: () => void;

  beforeEach(async () => {
    metadata = await startMetadataServer({ tokens: ['t1', 't2', 't3'] });
    restoreEnv = useMetadataEnv(metadata.host);
    api = await startFakeServer(() => ({ status: 200, body: { ok: true } }));
    edge = createGoogleEdge({
      env: { BIGQUERY_EMULATOR_HOST: api.host, STORAGE_EMULATOR_HOST: `${api.url}/storage/v1` },
      auth: new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/bigquery'] }),
    });
  });

  afterEach(async () => {
    edge.close();
    restoreEnv();
    await api.close();
    await metadata.close();
  });

  const tokenRequests = () =>
    metadata.requests.filter((r) => r.url.includes('/service-accounts/default/token'));
  const bigquery = (what = 'jobs.get j') =>
    edge.call({ service: 'bigquery', method: 'GET', url: `${api.url}/bigquery/v2/x`, what });

  it('sends every request with the one cached token over one connection', async () => {
    for (let i = 0; i < 5; i += 1) await bigquery();

    expect(api.requests.map((r) => r.headers.authorization)).toEqual(Array(5).fill('Bearer t1'));
    expect(tokenRequests()).toHaveLength(1);
    expect(api.connections()).toBe(1);
  });

  it('sends JSON with its content type and parses the answer', async () => {
    const answer = await edge.call({
      service: 'bigquery',
      method: 'POST',
      url: `${api.url}/bigquery/v2/projects/p/jobs`,
      json: { a: [1] },
      what: 'jobs.insert j',
    });

    expect(answer.json()).toEqual({ ok: true });
    expect(api.requests[0]?.headers['content-type']).toBe('application/json');
    expect(api.requests[0]?.body).toBe('{"a":[1]}');
  });

  it('refreshes the token once after a 401, and the retry carries the new one', async () => {
    await bigquery();
    api.answers.push({ status: 401, body: { error: { code: 401, message: 'expired' } } });

    const error = await bigquery().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({
      status: 401,
      message: expect.stringMatching(/^jobs.get j: HTTP 401/),
    });
    await bigquery();

    expect(api.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer t1',
      'Bearer t1',
      'Bearer t2',
    ]);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('refreshes once when several calls are refused the same token', async () => {
    await bigquery();
    const refused = { status: 401, body: {} } as const;
    api.answers.push(refused, refused, refused);

    await Promise.all([bigquery(), bigquery(), bigquery()].map((p) => p.catch(() => undefined)));
    await Promise.all([bigquery(), bigquery()]);

    expect(tokenRequests()).toHaveLength(2);
    expect(api.requests.slice(-2).map((r) => r.headers.authorization)).toEqual([
      'Bearer t2',
      'Bearer t2',
    ]);
  });

  it('sends no credentials to a Storage emulator and asks for no token', async () => {
    await edge.call({
      service: 'storage',
      method: 'GET',
      url: `${edge.endpoints.storage}/b/b/o/x`,
      what: 'Cloud Storage gs://b/x',
    });

    expect(api.requests[0]?.url).toBe('/storage/v1/b/b/o/x');
    expect(api.requests[0]?.headers.authorization).toBeUndefined();
    expect(tokenRequests()).toHaveLength(0);
  });

  it('answers an accepted non-2xx status instead of throwing', async () => {
    api.answers.push({ status: 308, body: '', headers: { Range: 'bytes=0-9' } });
    const answer = await edge.call({
      service: 'bigquery',
      method: 'PUT',
      url: `${api.url}/upload`,
      body: Buffer.from('x'),
      accept: [308],
      what: 'resumable upload j',
    });
    expect(answer.status).toBe(308);
    expect(answer.headers.range).toBe('bytes=0-9');
  });

  it('classifies a refusal, naming what was asked and the job', async () => {
    api.answers.push({
      status: 404,
      body: {
        error: { code: 404, message: 'Not found: Job p:j', errors: [{ reason: 'notFound' }] },
      },
    });
    const error = await edge
      .call({
        service: 'bigquery',
        method: 'GET',
        url: `${api.url}/x`,
        what: 'jobs.get j',
        jobId: 'j',
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({
      status: 404,
      reason: 'notFound',
      jobId: 'j',
      message: 'jobs.get j: HTTP 404 notFound: Not found: Job p:j',
    });
  });

  it('reports an unreachable credential source as retryable', async () => {
    const restore = useMetadataEnv('127.0.0.1:9'); // nothing listens there
    try {
      const unreachable = createGoogleEdge({ env: { BIGQUERY_EMULATOR_HOST: api.host } });
      const error = await unreachable
        .call({ service: 'bigquery', method: 'GET', url: `${api.url}/x`, what: 'jobs.get j' })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(RetryableError);
      expect(error).toMatchObject({
        message: expect.stringMatching(/^jobs.get j: access token: network error/),
      });
      expect(api.requests).toHaveLength(0);
    } finally {
      restore();
    }
  });
});
