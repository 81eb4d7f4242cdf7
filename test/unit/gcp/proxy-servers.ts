/**
 * A plain forward proxy and an https origin on 127.0.0.1:0, for the HTTP client's proxy
 * tests. The proxy tunnels CONNECT `host:port` to the local port `routes` names for it
 * (a corporate proxy resolves names itself) and refuses any other with `refusal`.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface ConnectProxy {
  url: string;
  port: number;
  connects: { authority: string; proxyAuthorization?: string }[];
  close(): Promise<void>;
}

export async function startConnectProxy(
  routes: Record<string, number>,
  refusal = 403,
): Promise<ConnectProxy> {
  const connects: ConnectProxy['connects'] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    const authority = req.url ?? '';
    connects.push({ authority, proxyAuthorization: req.headers['proxy-authorization'] });
    const port = routes[authority];
    if (port === undefined) {
      client.end(`HTTP/1.1 ${refusal} Refused\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
      return;
    }
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects,
    close: () => close(server, sockets),
  };
}

export interface TlsOrigin {
  port: number;
  requests: { sni?: string; host?: string; method?: string; url?: string }[];
  connections(): number;
  close(): Promise<void>;
}

export async function startTlsOrigin(cert: string, key: string): Promise<TlsOrigin> {
  const requests: TlsOrigin['requests'] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createHttpsServer({ cert, key }, (req, res) => {
    const sni = (req.socket as TLSSocket).servername || undefined;
    requests.push({ sni, host: req.headers.host, method: req.method, url: req.url });
    const body = JSON.stringify({ served: req.url });
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  server.on('secureConnection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
  });
  const port = await listen(server);
  return { port, requests, connections: () => connections, close: () => close(server, sockets) };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function close(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
