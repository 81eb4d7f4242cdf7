/**
 * Lets the local stack play another Google Cloud universe (`s3nsapis.fr`, regional
 * `*.rep.*` endpoints) for a client that runs its production code unchanged: the client is
 * given `HTTPS_PROXY=<proxyUrl>` and `NODE_EXTRA_CA_CERTS=<caFile>` and calls
 * `https://bigquery.s3nsapis.fr/…` as it would in that universe. Nothing can bind port 443 or
 * edit /etc/hosts portably, so the gateway is the egress proxy a deployment may have anyway:
 *
 *   client ──CONNECT bigquery.s3nsapis.fr:443──▶ proxy (127.0.0.1:ephemeral)
 *          ══TLS, SNI bigquery.s3nsapis.fr═════▶ TLS server end of the tunnel (test CA cert)
 *          ──request──▶ gateway-forward.ts ──http──▶ the local server for that host
 *
 * The proxy accepts CONNECT only to the configured host names on port 443 (403 otherwise);
 * the certificate names exactly those hosts, so the client's own TLS checks are real. A
 * request must name the host its tunnel was opened to, in SNI and Host alike (else 421).
 * Every tunnel and request is recorded, so tests assert the exact hosts and paths a client
 * called. Only the proxy listens, on 127.0.0.1; the TLS and HTTP servers get its sockets.
 */
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import { forward } from './gateway-forward';
import { createTestCa } from './test-ca';

export interface UniverseGatewayOptions {
  /** Public host name → the plain-http base URL of the local server playing it. */
  hosts: Record<string, string>;
}

export interface GatewayRequest {
  /** The host the client's tunnel was opened to (its TLS SNI and Host header name it too). */
  host: string;
  method: string;
  /** The path without the query string. */
  path: string;
  /** The query string with its `?`, or ''. */
  search: string;
}

export interface GatewayTunnel {
  /** What the client asked to CONNECT to, `host:port`. */
  authority: string;
  accepted: boolean;
}

export interface UniverseGateway {
  /** `http://127.0.0.1:PORT`, the value for `HTTPS_PROXY`. */
  proxyUrl: string;
  /** The test CA (PEM), the value for `NODE_EXTRA_CA_CERTS`. */
  caFile: string;
  /**
   * The client environment: HTTPS_PROXY, NODE_EXTRA_CA_CERTS and NO_PROXY for loopback
   * (google-auth-library tunnels every URL through the proxy, the metadata server's too).
   */
  env: Record<string, string>;
  /** Every request forwarded (or refused with 421), in order. */
  requests: GatewayRequest[];
  /** Every CONNECT, in order: one per new connection, none for a kept-alive one. */
  tunnels: GatewayTunnel[];
  close(): Promise<void>;
}

export async function startUniverseGateway(
  options: UniverseGatewayOptions,
): Promise<UniverseGateway> {
  const routes = new Map(
    Object.entries(options.hosts).map(([host, base]) => [host.toLowerCase(), upstreamUrl(base)]),
  );
  const ca = await createTestCa([...routes.keys()]);
  const agent = new Agent({ keepAlive: true });
  const requests: GatewayRequest[] = [];
  const tunnels: GatewayTunnel[] = [];
  const sockets = new Set<Socket>();

  // The host each tunnel was opened to, by the TLS end of the tunnel.
  const tunnelHost = new WeakMap<object, string>();
  const inner = createServer((req: IncomingMessage, res: ServerResponse) => {
    const host = tunnelHost.get(req.socket) ?? '';
    const sni = (req.socket as TLSSocket).servername;
    const named = (req.headers.host ?? '').toLowerCase().replace(/:443$/, '');
    const url = new URL(req.url ?? '/', 'https://gateway');
    requests.push({ host, method: req.method ?? '', path: url.pathname, search: url.search });
    const upstream = routes.get(host);
    if (!upstream || sni !== host || named !== host) {
      // RFC 9110 §15.5.20: the request is for another host than its connection.
      res.writeHead(421, { 'content-type': 'text/plain' });
      res.end(`universe gateway: Host ${named} over a tunnel to ${host}, SNI ${sni || 'none'}\n`);
      return;
    }
    forward(req, res, { host, upstream, agent });
  });
  const secureContext = createSecureContext({ key: ca.key, cert: ca.cert });

  const proxy = createServer((_req, res) => {
    res.writeHead(405, { 'content-type': 'text/plain', allow: 'CONNECT' });
    res.end('universe gateway: a CONNECT proxy only\n');
  });
  proxy.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const authority = (req.url ?? '').toLowerCase();
    const match = /^([^:]+):(\d+)$/.exec(authority);
    const accepted = match?.[2] === '443' && routes.has(match[1] ?? '');
    tunnels.push({ authority, accepted });
    if (!accepted) {
      const served = [...routes.keys()].map((host) => `${host}:443`).join(', ');
      const text = `universe gateway: no tunnel to ${authority}; it serves ${served}\n`;
      const lines = ['HTTP/1.1 403 Forbidden', 'content-type: text/plain', 'connection: close'];
      socket.end(
        `${[...lines, `content-length: ${Buffer.byteLength(text)}`].join('\r\n')}\r\n\r\n${text}`,
      );
      return;
    }
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    // Bytes the client sent after the CONNECT head (its TLS hello, if it did not wait).
    if (head.length > 0) socket.unshift(head);
    const secure = new TLSSocket(socket, { isServer: true, secureContext });
    secure.on('error', () => secure.destroy());
    tunnelHost.set(secure, match?.[1] ?? '');
    inner.emit('connection', secure);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(0, '127.0.0.1', () => resolve());
  }).catch(async (error: unknown) => {
    await ca.remove();
    throw error;
  });
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  return {
    proxyUrl,
    caFile: ca.caFile,
    env: { HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: ca.caFile, NO_PROXY: '127.0.0.1,localhost' },
    requests,
    tunnels,
    async close() {
      // The tunnels left the proxy's HTTP bookkeeping on CONNECT: they are closed here.
      for (const socket of sockets) socket.destroy();
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      agent.destroy();
      await ca.remove();
    },
  };
}

/** Only plain http upstreams: the local servers; TLS ends at the gateway. */
function upstreamUrl(base: string): URL {
  const url = URL.canParse(base) ? new URL(base) : undefined;
  if (url?.protocol !== 'http:') {
    throw new Error(`universe gateway: an upstream must be an http:// base URL, got ${base}`);
  }
  return url;
}
