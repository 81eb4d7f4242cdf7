/**
 * The universe gateway: the production HTTP client (in a child process, trusting the test CA
 * through NODE_EXTRA_CA_CERTS only, proxied through HTTPS_PROXY only) calls
 * `https://bigquery.s3nsapis.fr/…` and reaches a local plain-http server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { startUniverseGateway, type UniverseGateway } from '../../dev/universe-gateway';
import { runHttpClient } from '../support/http-client-child';
import { BIG_BODY, startUpstream, type Upstream } from './upstream';

const PROJECT = encodeURIComponent('s3ns:example-project');

describe('the universe gateway', () => {
  let bigquery: Upstream;
  let regional: Upstream;
  let gateway: UniverseGateway;

  beforeEach(async () => {
    [bigquery, regional] = await Promise.all([startUpstream(), startUpstream()]);
    gateway = await startUniverseGateway({
      hosts: {
        'bigquery.s3nsapis.fr': bigquery.url,
        'bigquery.europe-west9.rep.s3nsapis.fr': `${regional.url}/regional/`,
      },
    });
  });

  afterEach(async () => {
    await Promise.all([gateway.close(), bigquery.close(), regional.close()]);
  });

  it('takes the client to the local server of each host, over TLS it verifies', async () => {
    const body = 'x'.repeat(300_000);
    const run = await runHttpClient(
      [
        {
          method: 'POST',
          url: `https://bigquery.s3nsapis.fr/bigquery/v2/projects/${PROJECT}/jobs?alt=json`,
          headers: { authorization: 'Bearer t', 'content-type': 'text/plain' },
          body,
        },
        { method: 'GET', url: 'https://bigquery.europe-west9.rep.s3nsapis.fr/bigquery/v2/x' },
        { method: 'GET', url: 'https://bigquery.s3nsapis.fr/big' },
      ],
      gateway.env,
    );

    expect(run.results.map((r) => ('status' in r ? r.status : r.error))).toEqual([200, 200, 200]);
    expect(gateway.requests).toEqual([
      {
        host: 'bigquery.s3nsapis.fr',
        method: 'POST',
        path: `/bigquery/v2/projects/${PROJECT}/jobs`,
        search: '?alt=json',
      },
      {
        host: 'bigquery.europe-west9.rep.s3nsapis.fr',
        method: 'GET',
        path: '/bigquery/v2/x',
        search: '',
      },
      { host: 'bigquery.s3nsapis.fr', method: 'GET', path: '/big', search: '' },
    ]);
    // One tunnel per host: the client's kept-alive connection carried both of its requests.
    expect(gateway.tunnels).toEqual([
      { authority: 'bigquery.s3nsapis.fr:443', accepted: true },
      { authority: 'bigquery.europe-west9.rep.s3nsapis.fr:443', accepted: true },
    ]);
    const [post] = bigquery.requests;
    expect(post).toMatchObject({
      method: 'POST',
      url: `/bigquery/v2/projects/${PROJECT}/jobs?alt=json`,
      body,
    });
    expect(post?.headers).toMatchObject({
      host: new URL(bigquery.url).host,
      authorization: 'Bearer t',
      'content-type': 'text/plain',
      'x-forwarded-host': 'bigquery.s3nsapis.fr',
      'x-forwarded-proto': 'https',
    });
    expect(post?.headers['proxy-authorization']).toBeUndefined();
    expect(regional.requests.map((r) => r.url)).toEqual(['/regional/bigquery/v2/x']);
    const big = run.results[2];
    expect(big && 'body' in big ? big.body : '').toBe(BIG_BODY);
  });

  it('moves a Location on the local server to the public host, so uploads come back', async () => {
    const run = await runHttpClient(
      [
        { method: 'POST', url: 'https://bigquery.s3nsapis.fr/upload/start' },
        { method: 'POST', url: 'https://bigquery.europe-west9.rep.s3nsapis.fr/upload/start' },
      ],
      gateway.env,
    );

    expect(run.results.map((r) => ('headers' in r ? r.headers.location : r.error))).toEqual([
      'https://bigquery.s3nsapis.fr/upload/session?upload_id=1',
      'https://bigquery.europe-west9.rep.s3nsapis.fr/upload/session?upload_id=1',
    ]);
  });

  it('fails the TLS check of a client that does not trust the test CA', async () => {
    const { NODE_EXTRA_CA_CERTS: _, ...untrusting } = gateway.env;
    const run = await runHttpClient(
      [{ method: 'GET', url: 'https://bigquery.s3nsapis.fr/bigquery/v2/x' }],
      untrusting,
    );

    expect(run.results).toEqual([
      { error: expect.objectContaining({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }) },
    ]);
    expect(gateway.tunnels).toEqual([{ authority: 'bigquery.s3nsapis.fr:443', accepted: true }]);
    expect(gateway.requests).toEqual([]);
    expect(bigquery.requests).toEqual([]);
  });

  it.each(['storage.googleapis.com:443', 'bigquery.s3nsapis.fr:80', '127.0.0.1:22'])(
    'refuses a CONNECT to %s, which it does not serve, with 403',
    async (authority) => {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const connect = httpRequest(gateway.proxyUrl, { method: 'CONNECT', path: authority });
        connect.on('connect', (res, socket) => {
          socket.destroy();
          resolve(res.statusCode);
        });
        connect.on('error', reject);
        connect.end();
      });

      expect(status).toBe(403);
      expect(gateway.tunnels).toEqual([{ authority, accepted: false }]);
    },
  );

  it('answers 421 to a request for another host than its connection was opened for', async () => {
    const status = await viaGateway(gateway, 'https://bigquery.s3nsapis.fr/x', {
      host: 'bigquery.europe-west9.rep.s3nsapis.fr',
    });

    expect(status).toBe(421);
    expect(bigquery.requests).toEqual([]);
    expect(regional.requests).toEqual([]);
  });

  it('answers 502 when the local server behind a host is down', async () => {
    await bigquery.close();
    const status = await viaGateway(gateway, 'https://bigquery.s3nsapis.fr/x');

    expect(status).toBe(502);
  });

  it('is a CONNECT proxy only, on loopback, and removes its files when closed', async () => {
    expect(new URL(gateway.proxyUrl).hostname).toBe('127.0.0.1');
    const res = await fetch(`${gateway.proxyUrl}/anything`);
    expect(res.status).toBe(405);
    expect(existsSync(gateway.caFile)).toBe(true);

    await gateway.close();
    expect(existsSync(gateway.caFile)).toBe(false);
    await expect(fetch(gateway.proxyUrl)).rejects.toThrow();
  });

  it('refuses an upstream that is not plain http', async () => {
    await expect(
      startUniverseGateway({ hosts: { 'bigquery.s3nsapis.fr': 'https://127.0.0.1:1' } }),
    ).rejects.toThrow(/must be an http:\/\/ base URL/);
  });
});

/** A request through the gateway from this process, trusting its CA explicitly. */
function viaGateway(
  gateway: UniverseGateway,
  url: string,
  headers: Record<string, string> = {},
): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, {
      agent: new HttpsProxyAgent(gateway.proxyUrl),
      ca: readFileSync(gateway.caFile, 'utf8'),
      headers,
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end();
  });
}
