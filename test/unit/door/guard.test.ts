/**
 * The door in front of a plain Node server, in process: what it does when the listener
 * behind it throws, fails after answering, or finds no route, and when the caller leaves.
 * (test/integration/door.test.ts runs it in front of the real Functions Framework.)
 */
import { once } from 'node:events';
import { Agent, createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { InFlightBudget } from '../../../src/door/budget';
import { door, type Listener } from '../../../src/door/guard';
import { setLogSink } from '../../../src/log';

type Line = Record<string, unknown>;

let lines: Line[] = [];
let waiters: { predicate: (l: Line) => boolean; resolve: (l: Line) => void }[] = [];

/** Resolves with the first log line (past or future) satisfying the predicate. */
function logLine(predicate: (l: Line) => boolean): Promise<Line> {
  const found = lines.find(predicate);
  if (found) return Promise.resolve(found);
  return new Promise((resolve) => waiters.push({ predicate, resolve }));
}

beforeEach(() => {
  lines = [];
  waiters = [];
  setLogSink((text) => {
    const line = JSON.parse(text) as Line;
    lines.push(line);
    for (const w of waiters.filter((x) => x.predicate(line))) w.resolve(line);
  });
});

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function serve(listener: Listener, budget?: InFlightBudget): Promise<number> {
  server = createServer(door([listener], budget));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
}

function send(
  port: number,
  method: string,
  body?: string,
  headers = {},
  agent: Agent | false = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const EVENT = ['{"id":"1"}', { 'content-type': 'application/json' }] as const;

class EventConversionError extends Error {}

describe('what the listener behind the door throws', () => {
  it('a synchronous throw: 500 with nothing of the error, one ERROR line, the process lives', async () => {
    const port = await serve(() => {
      throw new TypeError('secret detail');
    });
    const answer = await send(port, 'POST', ...EVENT);
    expect(answer).toMatchObject({ status: 500, text: 'internal error\n' });
    const line = await logLine((l) => l.severity === 'ERROR');
    expect(line).toMatchObject({
      message: 'request failed: TypeError: secret detail',
      httpRequest: expect.objectContaining({ status: 500, requestMethod: 'POST' }),
    });
    expect(String(line.stack)).toMatch(/secret detail\n\s+at /);
  });

  it('an error passed on by the framework: 500, not "not a CloudEvent"', async () => {
    const port = await serve((_req, _res, next) => next?.(new Error('database on fire')));
    const answer = await send(port, 'POST', ...EVENT);
    expect(answer).toMatchObject({ status: 500, text: 'internal error\n' });
    await logLine((l) => l.message === 'request failed: Error: database on fire');
    expect(lines.filter((l) => l.outcome === 'refused')).toEqual([]);
  });

  it("the framework's event-conversion error: 400 not a CloudEvent, one WARNING", async () => {
    const port = await serve((_req, _res, next) =>
      next?.(new EventConversionError('Unable to find equivalent CloudEvent type for x')),
    );
    const answer = await send(port, 'POST', ...EVENT);
    expect(answer.status).toBe(400);
    expect(answer.text).toBe('not a CloudEvent: Unable to find equivalent CloudEvent type for x\n');
    expect(lines).toEqual([
      expect.objectContaining({
        severity: 'WARNING',
        httpRequest: expect.objectContaining({ status: 400 }),
      }),
    ]);
  });

  it('no route: 404', async () => {
    const port = await serve((_req, _res, next) => next?.());
    expect((await send(port, 'POST', ...EVENT)).status).toBe(404);
  });

  it('an error after the answer began: ERROR, and the connection is cut, not left hanging', async () => {
    const port = await serve((_req, res, next) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      next?.(new Error('late failure'));
    });
    await expect(send(port, 'POST', ...EVENT)).rejects.toThrow(/aborted|socket hang up|ECONNRESET/);
    expect(await logLine((l) => l.severity === 'ERROR')).toMatchObject({
      message: 'request failed: Error: late failure',
      connectionCut: true,
    });
    expect(lines.filter((l) => l.outcome === 'refused')).toEqual([]);
  });
});

describe('what reaches the listener', () => {
  it.each([
    ['with a Content-Length', { 'content-type': 'application/json' }],
    ['chunked', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }],
  ])('the body, parsed and raw, %s', async (_case, headers) => {
    const seen: { body?: unknown; rawBody?: Buffer }[] = [];
    const port = await serve((req, res) => {
      seen.push(req as never);
      res.end();
    });
    const text = JSON.stringify({ id: '1', data: 'é'.repeat(100_000) });
    expect((await send(port, 'POST', text, headers)).status).toBe(200);
    expect(seen[0]?.body).toEqual(JSON.parse(text));
    expect(seen[0]?.rawBody?.toString('utf8')).toBe(text);
  });
});

describe('refusals that leave a body unread', () => {
  it.each([
    ['GET', { 'content-length': '5' }, 'hello', 405],
    ['POST', { 'content-encoding': 'gzip', 'content-length': '5' }, 'hello', 415],
  ])('%s %j %j: %d and Connection: close', async (method, headers, body, status) => {
    const port = await serve(() => undefined);
    const agent = new Agent({ keepAlive: true });
    const answer = await send(port, method, body, headers, agent);
    agent.destroy();
    expect(answer.status).toBe(status);
    expect(answer.headers.connection).toBe('close');
  });

  it('GET without a body: the connection may stay', async () => {
    const port = await serve(() => undefined);
    const agent = new Agent({ keepAlive: true });
    const answer = await send(port, 'GET', undefined, {}, agent);
    agent.destroy();
    expect(answer.status).toBe(405);
    expect(answer.headers.connection).toBe('keep-alive');
  });
});

it('a caller that leaves mid-body: one NOTICE line, nothing run, nothing answered', async () => {
  const reached: unknown[] = [];
  const port = await serve((req) => reached.push(req.url));
  const socket: Socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n');
  socket.write('Content-Length: 100\r\n\r\n{"id":');
  await once(server as Server, 'request');
  socket.destroy();
  const line = await logLine((l) => l.severity === 'NOTICE');
  expect(line).toMatchObject({ message: expect.stringMatching(/^request abandoned/) });
  expect(reached).toEqual([]);
  expect(lines).toHaveLength(1);
});

/** Resolves once `done()` holds; fails with a clear message after 5 s. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('the listener was never reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the in-flight budget (AUTOLOADER_DOOR_INFLIGHT_BYTES)', () => {
  const body = (n: number) => JSON.stringify({ id: '1', data: 'x'.repeat(n) });

  it('answers 429 (deliver again later) while held bodies would pass it, and admits again once they are answered', async () => {
    const held: (() => void)[] = [];
    const reached: number[] = [];
    const port = await serve((req, res) => {
      reached.push(Number(req.headers['content-length']));
      held.push(() => res.end());
    }, new InFlightBudget(1_000));
    const first = send(port, 'POST', body(600), EVENT[1]);
    await until(() => reached.length === 1);
    const second = await send(port, 'POST', body(600), EVENT[1]);
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('1');
    expect(lines.find((l) => (l.httpRequest as { status?: number })?.status === 429)).toMatchObject(
      {
        severity: 'WARNING',
        outcome: 'retry',
      },
    );
    held.shift()?.();
    expect((await first).status).toBe(200);
    const third = send(port, 'POST', body(600), EVENT[1]);
    await until(() => reached.length === 2);
    held.shift()?.();
    expect((await third).status).toBe(200);
  });

  it('always admits one request alone, even one larger than the budget', async () => {
    const port = await serve((_req, res) => res.end(), new InFlightBudget(10));
    expect((await send(port, 'POST', body(5_000), EVENT[1])).status).toBe(200);
    expect((await send(port, 'POST', body(5_000), EVENT[1])).status).toBe(200);
  });
});
