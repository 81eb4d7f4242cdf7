/** The edge's HTTP client against a local server: one kept-alive connection, timeouts, resets. */
import { createHttpClient, type HttpClient, RequestTimeoutError } from '../../../src/gcp/http';
import { type FakeServer, startFakeServer } from './fake-servers';

describe('createHttpClient', () => {
  let server: FakeServer;
  let http: HttpClient;

  beforeEach(async () => {
    server = await startFakeServer(() => ({ status: 200, body: { ok: true } }));
    http = createHttpClient();
  });

  afterEach(async () => {
    http.close();
    await server.close();
  });

  const post = (body = '{"a":1}', timeoutMs = 5_000) =>
    http.request({
      method: 'POST',
      url: `${server.url}/v1/things?x=1`,
      headers: { 'content-type': 'application/json' },
      body,
      timeoutMs,
    });

  it('sends the method, path, headers and body, and answers status, headers and body', async () => {
    const answer = await post('{"é":1}');

    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ ok: true });
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      url: '/v1/things?x=1',
      body: '{"é":1}',
    });
    expect(server.requests[0]?.headers['content-length']).toBe(
      String(Buffer.byteLength('{"é":1}')),
    );
  });

  it('reuses one connection for sequential requests (keep-alive)', async () => {
    for (let i = 0; i < 5; i += 1) await post();

    expect(server.requests).toHaveLength(5);
    expect(server.connections()).toBe(1);
  });

  it('answers a non-2xx status as an answer, not an error', async () => {
    server.answers.push({ status: 503, body: { error: { code: 503 } } });
    await expect(post()).resolves.toMatchObject({ status: 503 });
  });

  it('fails a request that outlives its timeout with a retryable network code', async () => {
    server.answers.push({ status: 200, body: {}, delayMs: 1_000 });

    await expect(post('{}', 50)).rejects.toMatchObject({
      name: 'RequestTimeoutError',
      code: 'ETIMEDOUT',
    });
    await expect(post('{}', 50).catch((e: unknown) => e)).resolves.not.toBeInstanceOf(
      RequestTimeoutError,
    );
  });

  it('fails a request whose connection drops before the answer', async () => {
    server.answers.push('reset');
    await expect(post()).rejects.toMatchObject({ code: 'ECONNRESET' });
    // The next request opens a new connection and succeeds.
    await expect(post()).resolves.toMatchObject({ status: 200 });
  });

  it('refuses a URL that is not http(s)', async () => {
    await expect(
      http.request({ method: 'GET', url: 'ftp://127.0.0.1/x', headers: {}, timeoutMs: 100 }),
    ).rejects.toThrow(/not an http/);
  });
});
