/**
 * Small in-test HTTP servers on 127.0.0.1:0: a metadata server for google-auth-library and a
 * scripted API server that records every request and answers from a queue (or drops the
 * connection, as a reset would).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Answer =
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  | 'reset';

export interface FakeServer {
  url: string;
  host: string;
  requests: RecordedRequest[];
  /** TCP connections accepted so far (keep-alive reuses one). */
  connections: () => number;
  /** Answers for the next requests, in order; when empty, `fallback` answers. */
  answers: Answer[];
  close(): Promise<void>;
}

export async function startFakeServer(
  fallback: (request: RecordedRequest) => Answer = () => ({ status: 404, body: {} }),
): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const answers: Answer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      const answer = answers.shift() ?? fallback(recorded);
      const delay = answer === 'reset' ? 0 : (answer.delayMs ?? 0);
      if (delay > 0) setTimeout(() => respond(req, res, answer), delay).unref();
      else respond(req, res, answer);
    });
  });
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  const host = await listen(server);
  return {
    url: `http://${host}`,
    host,
    requests,
    connections: () => connections,
    answers,
    close: () => close(server),
  };
}

function respond(req: IncomingMessage, res: ServerResponse, answer: Answer): void {
  if (answer === 'reset') {
    req.socket.destroy();
    return;
  }
  const isBuffer = Buffer.isBuffer(answer.body);
  const payload = isBuffer
    ? (answer.body as Buffer)
    : typeof answer.body === 'string'
      ? answer.body
      : JSON.stringify(answer.body ?? {});
  res.writeHead(answer.status, {
    'Content-Type': isBuffer || typeof answer.body === 'string' ? 'text/plain' : 'application/json',
    ...answer.headers,
  });
  res.end(payload);
}

export interface MetadataOptions {
  /** Lifetime of each token, in seconds. Default 3600. */
  expiresIn?: number;
  /** Token values in turn (the last repeats). Default: always `t`. */
  tokens?: string[];
  /** Answered at `universe/universe-domain`; default: no such path (404), as older servers. */
  universe?: string;
}

/** Answers google-auth-library's token and project-id requests, as the metadata server does. */
export function startMetadataServer(options: MetadataOptions = {}): Promise<FakeServer> {
  const tokens = options.tokens ?? ['t'];
  let issued = 0;
  return startFakeServer((request) => {
    const headers = { 'Metadata-Flavor': 'Google' };
    if (request.headers['metadata-flavor'] !== 'Google') return { status: 403, body: {} };
    const path = request.url.split('?')[0];
    if (path === '/computeMetadata/v1/instance/service-accounts/default/token') {
      return {
        status: 200,
        headers,
        body: {
          access_token: tokens[Math.min(issued++, tokens.length - 1)],
          expires_in: options.expiresIn ?? 3600,
          token_type: 'Bearer',
        },
      };
    }
    if (path === '/computeMetadata/v1/universe/universe-domain' && options.universe) {
      return { status: 200, headers, body: options.universe };
    }
    if (path === '/computeMetadata/v1/project/project-id') {
      return { status: 200, headers, body: 'test-project' };
    }
    return { status: 404, headers, body: 'not found' };
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`127.0.0.1:${port}`);
    });
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
}
