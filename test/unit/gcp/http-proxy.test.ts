/**
 * The edge's HTTP client behind an egress proxy, against a real CONNECT proxy and a real
 * https origin on loopback. The client runs in a child process (test/support/
 * http-client-child.ts): the origin's test CA reaches it only through NODE_EXTRA_CA_CERTS,
 * which Node reads at start-up, as a deployed function would.
 */

import { createTestCa, type TestCa } from '../../../dev/test-ca';
import { createHttpClient } from '../../../src/gcp/http';
import { type ChildRequest, runHttpClient } from '../../support/http-client-child';
import { type FakeServer, startFakeServer } from './fake-servers';
import {
  type ConnectProxy,
  startConnectProxy,
  startTlsOrigin,
  type TlsOrigin,
} from './proxy-servers';

const BIGQUERY = 'https://bigquery.s3nsapis.fr';

describe('createHttpClient behind HTTPS_PROXY', () => {
  let ca: TestCa;
  let origin: TlsOrigin;
  let proxy: ConnectProxy;
  let plain: FakeServer;

  beforeAll(async () => {
    ca = await createTestCa(['bigquery.s3nsapis.fr', 'localhost']);
  });

  afterAll(async () => {
    await ca.remove();
  });

  beforeEach(async () => {
    origin = await startTlsOrigin(ca.cert, ca.key);
    plain = await startFakeServer(() => ({ status: 200, body: { plain: true } }));
    proxy = await startConnectProxy({
      'bigquery.s3nsapis.fr:443': origin.port,
      // Tunnels to the origin, whose certificate does not name this host.
      'storage.s3nsapis.fr:443': origin.port,
    });
  });

  afterEach(async () => {
    await Promise.all([origin.close(), plain.close(), proxy.close()]);
  });

  const get = (url: string): ChildRequest => ({ method: 'GET', url });
  const env = (more: Record<string, string> = {}) => ({
    HTTPS_PROXY: proxy.url,
    NODE_EXTRA_CA_CERTS: ca.caFile,
    ...more,
  });

  it('tunnels an https request with CONNECT host:443, then TLS to the origin host', async () => {
    const run = await runHttpClient([get(`${BIGQUERY}/bigquery/v2/projects?x=1`)], env());

    expect(run.results).toEqual([expect.objectContaining({ status: 200 })]);
    expect(proxy.connects.map((c) => c.authority)).toEqual(['bigquery.s3nsapis.fr:443']);
    expect(origin.requests).toEqual([
      {
        sni: 'bigquery.s3nsapis.fr',
        host: 'bigquery.s3nsapis.fr',
        method: 'GET',
        url: '/bigquery/v2/projects?x=1',
      },
    ]);
    expect(run.proxy).toBe(proxy.url);
  });

  it('keeps the tunnel alive: a second request reuses it, with no second CONNECT', async () => {
    const run = await runHttpClient([get(`${BIGQUERY}/a`), get(`${BIGQUERY}/b`)], env());

    expect(run.results.map((r) => ('status' in r ? r.status : r.error))).toEqual([200, 200]);
    expect(proxy.connects).toHaveLength(1);
    expect(origin.connections()).toBe(1);
    expect(origin.requests.map((r) => r.url)).toEqual(['/a', '/b']);
  });

  it('reads https_proxy when HTTPS_PROXY is unset', async () => {
    const run = await runHttpClient([get(`${BIGQUERY}/lower`)], {
      https_proxy: proxy.url,
      NODE_EXTRA_CA_CERTS: ca.caFile,
    });

    expect(run.results).toEqual([expect.objectContaining({ status: 200 })]);
    expect(proxy.connects).toHaveLength(1);
  });

  it('checks the certificate against the origin host through the tunnel', async () => {
    const run = await runHttpClient([get('https://storage.s3nsapis.fr/x')], env());

    expect(proxy.connects.map((c) => c.authority)).toEqual(['storage.s3nsapis.fr:443']);
    expect(run.results).toEqual([
      { error: expect.objectContaining({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }) },
    ]);
    expect(origin.requests).toEqual([]);
  });

  it('goes direct to a host NO_PROXY names', async () => {
    const url = `https://localhost:${origin.port}/direct`;
    const run = await runHttpClient([get(url)], env({ NO_PROXY: 'example.org, LOCALHOST' }));

    expect(run.results).toEqual([expect.objectContaining({ status: 200 })]);
    expect(proxy.connects).toEqual([]);
    expect(origin.requests).toEqual([
      expect.objectContaining({ sni: 'localhost', url: '/direct' }),
    ]);
  });

  it('fails a request whose tunnel the proxy refuses, naming the proxy without its password', async () => {
    const withCredentials = proxy.url.replace('http://', 'http://robot:s3cret@');
    const run = await runHttpClient(
      [get('https://pubsub.s3nsapis.fr/v1/x')],
      env({ HTTPS_PROXY: withCredentials }),
    );

    expect(proxy.connects).toEqual([
      {
        authority: 'pubsub.s3nsapis.fr:443',
        proxyAuthorization: `Basic ${Buffer.from('robot:s3cret').toString('base64')}`,
      },
    ]);
    expect(run.results).toEqual([
      {
        error: {
          name: 'ProxyTunnelError',
          code: 'EPROXYTUNNEL',
          message: `proxy ${proxy.url} answered CONNECT pubsub.s3nsapis.fr:443 with 403 Refused`,
        },
      },
    ]);
    expect(run.proxy).toBe(proxy.url);
  });
});

describe('createHttpClient with HTTPS_PROXY set, for http: URLs', () => {
  it('goes direct: emulators and local servers never see the proxy', async () => {
    const plain = await startFakeServer(() => ({ status: 200, body: { plain: true } }));
    const proxy = await startConnectProxy({});
    const http = createHttpClient({ HTTPS_PROXY: proxy.url, NO_PROXY: '' });
    try {
      const answer = await http.request({
        method: 'GET',
        url: `${plain.url}/storage/v1/b`,
        headers: {},
        timeoutMs: 5_000,
      });
      expect(answer.status).toBe(200);
      expect(plain.requests.map((r) => r.url)).toEqual(['/storage/v1/b']);
      expect(proxy.connects).toEqual([]);
    } finally {
      http.close();
      await Promise.all([plain.close(), proxy.close()]);
    }
  });
});
