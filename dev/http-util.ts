/** Small helpers shared by the local dev servers: loopback listening, bodies, JSON answers. */
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLOSE, DEFAULT_MAX_BODY_BYTES, foreignRequest, readBodyUpTo } from './local-guard';

export interface Listening {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 only (nothing here may be reachable from other machines); port 0 = any
 * free port. Requests for another Host or from a web page of another origin are refused
 * before `handler` sees them (local-guard.ts says why).
 */
export async function listenLocal(handler: RequestListener, port = 0): Promise<Listening> {
  let actual = port;
  const server = createServer((req, res) => {
    const refused = foreignRequest(req, actual);
    if (refused === undefined) {
      handler(req, res);
      return;
    }
    // The body is never read: close the connection rather than drain it.
    sendJson(res, 403, { error: { code: 403, message: `Forbidden: ${refused}` } }, CLOSE);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive sockets of clients would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

/** The body, up to `limit` bytes (BodyTooLargeError past it). */
export function readBody(req: IncomingMessage, limit = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  return readBodyUpTo(req, limit);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
