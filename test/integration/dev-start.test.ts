/**
 * `npm start` (dev/start.ts) fails loudly and early: bad rules and a busy port stop it before
 * the banner, non-zero, with one message and no stack trace; while it runs, an edit of the
 * rules file is reloaded (or refused, keeping the last good rules).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '../support/free-port';

const REPO = resolve(__dirname, '../..');
const BANNER = 'bq-autoloader is running on the local stack';

interface DevStack {
  dir: string;
  rules: string;
  output(): string;
  /** Resolves when the output (from `from` on) matches, with the text from there. */
  waitFor(pattern: RegExp, from?: number): Promise<string>;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const running: DevStack[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
});

async function startDev(rules: string, env: Record<string, string> = {}): Promise<DevStack> {
  const dir = mkdtempSync(join(tmpdir(), 'bqal-dev-start-'));
  const rulesPath = join(dir, 'autoloader.yaml');
  writeFileSync(rulesPath, rules);
  const child: ChildProcess = spawn(
    process.execPath,
    // The function's log lines as JSON, to find a load's route in them.
    [join(REPO, 'node_modules/tsx/dist/cli.mjs'), join(REPO, 'dev/start.ts'), '--json-logs'],
    {
      cwd: REPO,
      env: {
        ...process.env,
        AUTOLOADER_LOCAL_DIR: join(dir, 'local'),
        AUTOLOADER_CONFIG: rulesPath,
        PORT: String(await freePort()),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const waiters = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    for (const check of waiters) check();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const stack: DevStack = {
    dir,
    rules: rulesPath,
    output: () => out,
    waitFor: (pattern, from = 0) =>
      new Promise((done, fail) => {
        const check = () => {
          const text = out.slice(from);
          if (!pattern.test(text)) return;
          waiters.delete(check);
          done(text);
        };
        waiters.add(check);
        // Bounded below the test timeout, so a failure shows what was printed.
        const timer = setTimeout(() => {
          if (!waiters.delete(check)) return;
          fail(new Error(`no ${pattern} in 40 s; npm start printed:\n${out.slice(from)}`));
        }, 40_000);
        timer.unref();
        check();
        void exited.then(() => {
          if (!waiters.has(check)) return;
          waiters.delete(check);
          fail(new Error(`npm start exited before ${pattern}:\n${out}`));
        });
      }),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  running.push(stack);
  return stack;
}

const route = (name: string, folder: string) =>
  `  - name: ${name}\n    match: gs://landing/${folder}/*.csv\n    destination: raw.${name}\n    schema: autodetect\n    load: { skipLeadingRows: 1 }\n`;

it('with bad rules exits 1 before the banner, naming file:line:column and the field', async () => {
  const dev = await startDev(
    'routes:\n  - name: a\n    match: gs://b/*.csv\n    destination: raw.t\n    load: { writeDisposition: WRITE_SOMETIMES }\n',
  );
  expect(await dev.exited).toBe(1);
  const out = dev.output();
  expect(out).toContain(`${dev.rules}:5:13: routes[0].load.writeDisposition:`);
  expect(out).toMatch(/run npm start again/);
  expect(out).not.toContain(BANNER);
  expect(out).not.toMatch(/\n\s+at /);
});

describe('with a busy port', () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((done) => busy.close(() => done())));

  it('exits 1 with one line naming the port and how to choose another', async () => {
    const dev = await startDev(`routes:\n${route('a', 'a')}`, { PORT: String(port) });
    expect(await dev.exited).toBe(1);
    expect(dev.output().trim()).toBe(
      `port ${port} (the function, PORT) is already in use on 127.0.0.1 (EADDRINUSE): stop what listens there, or choose another port, e.g. PORT=${port + 1} npm start`,
    );
  });
});

describe('rules reload', () => {
  let dev: DevStack;
  beforeAll(async () => {
    dev = await startDev(`routes:\n${route('first', 'a')}`);
    await dev.waitFor(new RegExp(BANNER));
    // The function reads its rules just after it listens: edits come after that.
    await dev.waitFor(/"message":"rules loaded from/);
  });
  afterAll(() => dev.stop());

  /** Drops a CSV into the local bucket and waits for its outcome line naming the route. */
  async function drop(name: string, routeName: string) {
    const from = dev.output().length;
    const path = join(dev.dir, 'local/buckets/landing', name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'id,label\n1,x\n');
    const escaped = name.replace(/[.*/]/g, '\\$&');
    await dev.waitFor(
      new RegExp(
        `gs://landing/${escaped}.*"route":"${routeName}"|"route":"${routeName}".*gs://landing/${escaped}`,
      ),
      from,
    );
  }

  it('reloads a good edit, says so, and routes with the new rules', async () => {
    const from = dev.output().length;
    writeFileSync(dev.rules, `routes:\n${route('first', 'a')}${route('second', 'b')}`);
    await dev.waitFor(/rules reloaded: 2 routes/, from);
    await drop('b/one.csv', 'second');
  });

  it('refuses a bad edit with its position and keeps serving the last good rules', async () => {
    const from = dev.output().length;
    writeFileSync(
      dev.rules,
      `routes:\n${route('first', 'a')}  - name: third\n    match: gs://landing/c/*.csv\n    destination: raw.t_{regoin}\n`,
    );
    const text = await dev.waitFor(/rules not reloaded[^\n]*\n[^\n]*\n/, from);
    expect(text).toContain(
      `${dev.rules}:9:5: routes[1].destination: unknown placeholder "{regoin}"`,
    );
    expect(text).toContain('still serving the last good rules');
    await drop('b/two.csv', 'second');
  });
});
