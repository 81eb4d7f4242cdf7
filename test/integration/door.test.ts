/**
 * Bad input at the door, against the built function under the real Functions Framework:
 * every request that is not an event is answered 4xx with one WARNING line, every event
 * that cannot be processed is acknowledged with one refusal line — never a 500, a stack
 * trace or a crash.
 */
import { request } from 'node:http';
import { binaryStorageEvent, notificationMessage, post, rawPushBody } from '../support/events';
import { type FunctionProcess, startFunction } from '../support/function-process';
import { type LocalStack, startLocalStack } from '../support/local-stack';

let stack: LocalStack;
let fn: FunctionProcess;

beforeAll(async () => {
  stack = await startLocalStack();
  fn = await startFunction({
    ...stack.env,
    // Not `test`: Express logs the stack of an error it catches in every other environment.
    NODE_ENV: 'development',
    AUTOLOADER_CONFIG: stack.writeRules(
      [
        'routes:',
        '  - name: a',
        '    match: gs://landing/**.csv',
        '    destination: raw.t',
        '  - name: by-regex',
        "    match: { bucket: landing, regex: '^exports/(?<table>[a-z_]+)\\.parquet$' }",
        '    destination: raw.{table}',
        '',
      ].join('\n'),
    ),
  });
});

afterAll(async () => {
  await fn?.stop();
  await stack?.close();
});

interface Answer {
  status: number;
  text: string;
}

/** One raw HTTP request: any method, headers and body (chunks are sent as they come). */
function send(
  method: string,
  headers: Record<string, string>,
  chunks: (string | Buffer)[] = [],
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${fn.url}/`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };

async function refusalLine(reason: RegExp) {
  return fn.waitForLog((l) => l.outcome === 'refused' && reason.test(String(l.reason)), 5000);
}

describe('requests that are not events: 4xx and one line', () => {
  it.each([
    ['GET', {}, [], 405, /^method GET not allowed/],
    ['DELETE', {}, [], 405, /^method DELETE not allowed/],
    ['POST', {}, [], 400, /^empty body: not a CloudEvent$/],
    ['POST', JSON_TYPE, [], 400, /^empty body/],
    [
      'POST',
      { 'content-type': 'text/plain' },
      ['hello'],
      415,
      /^content type text\/plain is not JSON$/,
    ],
    ['POST', JSON_TYPE, ['{"specversion": '], 400, /^body is not JSON: /],
    ['POST', JSON_TYPE, ['"a string"'], 400, /^JSON body is not an object/],
    ['POST', JSON_TYPE, ['null'], 400, /^JSON body is not an object/],
    [
      'POST',
      JSON_TYPE,
      [Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
      400,
      /^body is not UTF-8$/,
    ],
    [
      'POST',
      { ...JSON_TYPE, 'content-encoding': 'gzip' },
      ['x'],
      415,
      /^content-encoding gzip not accepted$/,
    ],
    [
      'POST',
      { 'content-type': 'application/json; charset=latin1' },
      ['{}'],
      415,
      /^charset latin1 is not UTF-8$/,
    ],
    [
      'POST',
      JSON_TYPE,
      [`${'['.repeat(200_000)}${']'.repeat(200_000)}`],
      400,
      /^JSON body nests deeper than 64 levels$/,
    ],
    // The framework's legacy-event conversion throws on this; the door answers instead.
    ['POST', JSON_TYPE, ['{"context": 5, "data": {}}'], 400, /^not a CloudEvent: /],
  ] as const)('%s %j (case %#)', async (method, headers, chunks, status, reason) => {
    const answer = await send(method, { ...headers }, [...chunks]);
    expect(answer.status).toBe(status);
    expect(answer.text.trim()).toMatch(reason);
    const line = await refusalLine(reason);
    expect(line).toMatchObject({
      severity: 'WARNING',
      httpRequest: expect.objectContaining({ status, requestMethod: method }),
    });
  });

  it('refuses a body over 16 MiB by its length, without reading it', async () => {
    const answer = await send('POST', { ...JSON_TYPE, 'content-length': String(50 * 2 ** 20) });
    expect(answer.status).toBe(413);
    await refusalLine(/^body over 16777216 bytes$/);
  });

  it('stops reading a chunked body once it passes 16 MiB', async () => {
    const chunk = Buffer.alloc(2 ** 20, 0x20);
    const before = fn.logs.length;
    const answer = await send(
      'POST',
      JSON_TYPE,
      Array.from({ length: 20 }, () => chunk),
    ).catch(
      // The door may close the connection before the client has written everything: then
      // only its log line tells a refusal from a crash.
      () => undefined,
    );
    if (answer) expect(answer.status).toBe(413);
    const line = await fn.waitForLog(
      (l) => fn.logs.indexOf(l) >= before && l.reason === 'body over 16777216 bytes',
      5000,
    );
    expect(line).toMatchObject({
      severity: 'WARNING',
      httpRequest: expect.objectContaining({ status: 413, requestMethod: 'POST' }),
    });
  });
});

describe('events that cannot be processed: acknowledged, one refusal', () => {
  const object = { bucket: 'landing', name: 'a.csv', generation: '1' };

  it('a binary CloudEvent whose data is not JSON', async () => {
    const event = binaryStorageEvent(object);
    const res = await post(fn.url, {
      headers: { ...event.headers, 'content-type': 'text/plain' },
      body: 'plain text',
    });
    expect(res.status).toBe(204);
    await refusalLine(/^invalid google\.cloud\.storage\.object\.v1\.finalized event: data/);
  });

  it.each([
    ['not base64', 'eyJ9Q', /expected base64 of the object resource/],
    [
      'base64 of bytes that are not UTF-8',
      Buffer.from([0x7b, 0xff, 0x7d]).toString('base64'),
      /\(message data is not UTF-8\)$/,
    ],
  ])('a notification whose data is %s', async (_case, data, reason) => {
    const message = { ...notificationMessage(object, 'JSON_API_V1'), data };
    const res = await post(fn.url, rawPushBody(message, 'projects/p/subscriptions/s'));
    expect(res.status).toBe(204);
    await refusalLine(reason);
  });

  it.each([
    [
      'over 1,024 bytes',
      `${'é'.repeat(600)}.csv`,
      /1204 bytes long; Cloud Storage allows at most 1024/,
    ],
    ['with a carriage return', 'a\rb.csv', /holds a carriage return/],
  ])('an object name %s', async (_case, name, reason) => {
    const event = binaryStorageEvent({ ...object, name });
    const { 'ce-subject': _, ...headers } = event.headers;
    const res = await post(fn.url, { headers, body: event.body });
    expect(res.status).toBe(204);
    await refusalLine(reason);
  });
});

it('never answered with a stack trace, and still serves events', async () => {
  const event = binaryStorageEvent({ bucket: 'elsewhere', name: 'x.csv', generation: '1' });
  const res = await post(fn.url, event);
  expect(res.status).toBe(204);
  expect(fn.output()).not.toMatch(/^\s+at /m);
  expect(fn.output()).not.toMatch(/TypeError|SyntaxError/);
});

it('routes by regex in the bundle (RE2JS)', async () => {
  const name = 'exports/sales_eu.parquet';
  const res = await post(fn.url, binaryStorageEvent({ bucket: 'landing', name, generation: '7' }));
  expect(res.status).toBeLessThan(300);
  const line = await fn.waitForLog((l) => l.route === 'by-regex', 5000);
  // Generation 7 does not exist on the local stack: routed, then refused at the claim.
  expect(line).toMatchObject({
    object: `gs://landing/${name}`,
    jobId: expect.stringMatching(/^bqal_by-regex_/),
  });
});
