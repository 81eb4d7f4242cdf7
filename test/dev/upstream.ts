/**
 * A plain-http server on 127.0.0.1:0 standing in for a local BigQuery or GCS server behind
 * the universe gateway: records each request with its whole body, answers an upload start
 * with a Location on its own origin (as the local BigQuery server does), streams a large
 * answer in chunks for `…/big`, and `{ok: true}` otherwise.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Upstream {
  url: string;
  requests: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[];
  close(): Promise<void>;
}

/** 256 KiB of numbered lines, sent in 64 KiB chunks without a content-length. */
export const BIG_BODY = Array.from({ length: 23_831 }, (_, i) => `${i}`.padStart(10, '0'))
  .join('\n')
  .slice(0, 256 * 1024);

export async function startUpstream(): Promise<Upstream> {
  const requests: Upstream['requests'] = [];
  const sockets = new Set<Socket>();
  let origin = '';
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const { method, url = '/', headers } = req;
    requests.push({ method, url, headers, body: Buffer.concat(chunks).toString('utf8') });
    if (url.endsWith('/upload/start')) {
      const session = `${origin}${url.replace(/start$/, 'session')}?upload_id=1`;
      res.writeHead(200, { location: session, 'content-length': '0' }).end();
      return;
    }
    if (url.endsWith('/big')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let at = 0; at < BIG_BODY.length; at += 64 * 1024) {
        res.write(BIG_BODY.slice(at, at + 64 * 1024));
      }
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  return {
    url: origin,
    requests,
    close() {
      closed ??= new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
