import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GcsStore } from '../../dev/gcs/store';
import { type Listening, listenLocal, readBody } from '../../dev/http-util';
import { startWatcher, type Watcher, type WatcherEvent } from '../../dev/watcher';

const STABILITY_MS = 200;

interface Received {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('the local watcher', () => {
  let rootDir: string;
  let store: GcsStore;
  let fn: Listening;
  let watcher: Watcher;
  let received: Received[];
  let answers: number[]; // statuses the function answers with, in order; then 204
  let events: WatcherEvent[];

  beforeEach(async () => {
    rootDir = mkdtempSync(join(tmpdir(), 'bqal-watch-'));
    store = new GcsStore(rootDir);
    received = [];
    answers = [];
    events = [];
    fn = await listenLocal(async (req, res) => {
      const body = JSON.parse((await readBody(req)).toString('utf8')) as Record<string, unknown>;
      received.push({ headers: req.headers, body });
      res.writeHead(answers.shift() ?? 204).end();
    });
    watcher = await startWatcher({
      rootDir,
      store,
      functionUrl: `http://127.0.0.1:${fn.port}`,
      stabilityMs: STABILITY_MS,
      retryDelayMs: 20,
      onEvent: (info) => events.push(info),
      logger: () => {},
    });
  });

  afterEach(async () => {
    await watcher.close();
    await fn.close();
    rmSync(rootDir, { recursive: true, force: true });
  });

  function objectFile(bucket: string, name: string): string {
    const path = join(rootDir, 'buckets', bucket, ...name.split('/'));
    mkdirSync(join(path, '..'), { recursive: true });
    return path;
  }

  it('posts one binary-mode finalize CloudEvent for a new file, as Eventarc does', async () => {
    writeFileSync(objectFile('landing', 'sales/eu/day 1.csv'), 'a,b\n1,2\n');
    const [event] = await waitFor('one event', () => (received.length > 0 ? received : undefined));
    await sleep(STABILITY_MS * 2);

    expect(received).toHaveLength(1);
    expect(event?.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-type': 'google.cloud.storage.object.v1.finalized',
      'ce-source': '//storage.googleapis.com/projects/_/buckets/landing',
      'ce-subject': 'objects/sales/eu/day 1.csv',
      'content-type': 'application/json',
    });
    expect(event?.headers['ce-id']).toEqual(expect.any(String));
    expect(Number.isNaN(Date.parse(String(event?.headers['ce-time'])))).toBe(false);
    expect(event?.body).toMatchObject({
      bucket: 'landing',
      name: 'sales/eu/day 1.csv',
      size: '8',
      metageneration: '1',
      contentType: 'text/csv',
      generation: store.get('landing', 'sales/eu/day 1.csv').generation,
    });
    expect(events).toEqual([
      expect.objectContaining({ delivered: true, attempts: 1, status: 204 }),
    ]);
  });

  it('posts a second event with a larger generation when the file is overwritten', async () => {
    const path = objectFile('landing', 'data.csv');
    writeFileSync(path, 'one\n');
    await waitFor('the first event', () => (received.length === 1 ? true : undefined));
    writeFileSync(path, 'one\ntwo\n');
    await waitFor('the second event', () => (received.length === 2 ? true : undefined));

    const [first, second] = received.map((r) => r.body);
    expect(BigInt(String(second?.generation))).toBeGreaterThan(BigInt(String(first?.generation)));
    expect(second?.size).toBe('8');
    expect(received[0]?.headers['ce-id']).not.toBe(received[1]?.headers['ce-id']);
  });

  it('posts one event for a slowly written file, only once it is complete', async () => {
    const path = objectFile('landing', 'slow.ndjson');
    const fd = openSync(path, 'w');
    for (let i = 0; i < 6; i++) {
      writeSync(fd, `{"row":${i}}\n`);
      await sleep(STABILITY_MS / 4);
    }
    closeSync(fd);
    expect(received).toHaveLength(0);
    await waitFor('the event', () => (received.length > 0 ? true : undefined));
    await sleep(STABILITY_MS * 2);

    expect(received).toHaveLength(1);
    expect(received[0]?.body.size).toBe(String(6 * '{"row":0}\n'.length));
  });

  it('posts exactly one event for an object written through the store', async () => {
    const written = store.insert('landing', 'api/upload.csv', Buffer.from('x\n'), {
      contentType: 'text/csv',
    });
    await waitFor('the event', () => (received.length > 0 ? true : undefined));
    await sleep(STABILITY_MS * 2);

    expect(received).toHaveLength(1);
    expect(received[0]?.body.generation).toBe(written.generation);
  });

  it('ignores temporary files of editors and downloads', async () => {
    writeFileSync(objectFile('landing', 'report.csv.tmp'), 'x');
    writeFileSync(objectFile('landing', '.~lock.report.csv#'), 'x');
    writeFileSync(objectFile('landing', 'real.csv'), 'x');
    await waitFor('the event', () => (received.length > 0 ? true : undefined));
    await sleep(STABILITY_MS * 2);

    expect(received.map((r) => r.body.name)).toEqual(['real.csv']);
  });

  it('retries while the function answers 5xx, then delivers', async () => {
    answers = [503, 500];
    writeFileSync(objectFile('landing', 'retry.csv'), 'x');
    const [info] = await waitFor('the delivery', () => (events.length > 0 ? events : undefined));

    expect(info).toMatchObject({ delivered: true, attempts: 3, status: 204 });
    expect(new Set(received.map((r) => r.headers['ce-id'])).size).toBe(1);
  });

  it('does not retry an event the function refuses with 4xx', async () => {
    answers = [400];
    writeFileSync(objectFile('landing', 'refused.csv'), 'x');
    const [info] = await waitFor('the delivery', () => (events.length > 0 ? events : undefined));

    expect(info).toMatchObject({ delivered: false, attempts: 1, status: 400 });
    expect(received).toHaveLength(1);
  });
});

describe('the local watcher before the function is up', () => {
  it('retries until the function starts listening, then delivers', async () => {
    const rootDir = mkdtempSync(join(tmpdir(), 'bqal-watch-late-'));
    const store = new GcsStore(rootDir);
    // A free port that nothing listens on yet.
    const probe = await listenLocal(() => {});
    const port = probe.port;
    await probe.close();

    const warnings: string[] = [];
    const events: WatcherEvent[] = [];
    const watcher = await startWatcher({
      rootDir,
      store,
      functionUrl: `http://127.0.0.1:${port}`,
      stabilityMs: STABILITY_MS,
      attempts: 20,
      retryDelayMs: 25,
      onEvent: (info) => events.push(info),
      logger: (_severity, message) => warnings.push(message),
    });
    let fn: Listening | undefined;
    try {
      mkdirSync(join(rootDir, 'buckets', 'landing'), { recursive: true });
      writeFileSync(join(rootDir, 'buckets', 'landing', 'early.csv'), 'x');
      await waitFor('a failed attempt', () =>
        warnings.some((m) => m.includes('not reachable')) ? true : undefined,
      );
      fn = await listenLocal((_req, res) => res.writeHead(204).end(), port);
      const [info] = await waitFor('the delivery', () => (events.length > 0 ? events : undefined));
      expect(info).toMatchObject({ delivered: true, status: 204 });
      expect(info?.attempts).toBeGreaterThan(1);
    } finally {
      await watcher.close();
      await fn?.close();
      rmSync(rootDir, { recursive: true, force: true });
    }
  });
});
