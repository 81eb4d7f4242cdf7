/**
 * Starts one handler under the real Functions Framework CLI, as Cloud Run does, and tells
 * when it is ready. Each handler runs in its own process so its CPU and memory are its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..');
const FRAMEWORK_CLI = join(
  REPO,
  'node_modules/@google-cloud/functions-framework/build/src/main.js',
);

export interface HandlerSpec {
  name: string;
  /** Module for `--source` (a file), or undefined for the repo itself (dist/index.js). */
  source?: string;
  target: string;
  /** Environment of its own (e.g. a setting under test), on top of the shared one. */
  env?: Record<string, string>;
}

const handler = (name: string, file: string): HandlerSpec => ({
  name,
  source: join(__dirname, 'handlers', file),
  target: 'bench',
});

/** Every handler the benchmark compares, in table order. */
export const HANDLERS = {
  empty: handler('empty handler', 'empty.js'),
  authRequest: handler('auth.request POST', 'auth-request.js'),
  leanPost: handler('lean POST', 'lean-post.js'),
  leanClaimPost: handler('lean PATCH + POST', 'lean-claim-post.js'),
  baseline: handler('@google-cloud/bigquery', 'baseline.js'),
  markersOn: { name: 'bq-autoloader, markers on', target: 'autoload' },
  markersOff: {
    name: 'bq-autoloader, markers off',
    target: 'autoload',
    env: { AUTOLOADER_MARKERS: 'off' },
  },
} satisfies Record<string, HandlerSpec>;

export type HandlerId = keyof typeof HANDLERS;

export interface RunningHandler {
  pid: number;
  url: string;
  /** ms from spawn to the first accepted connection on its port. */
  readyMs: number;
  spawnedAt: bigint;
  /** The start of its stdout/stderr (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

let nextPort = 18_400 + Math.floor(Math.random() * 2000);

export async function startHandler(
  spec: HandlerSpec,
  env: Record<string, string>,
  /** Extra node flags, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  nodeArgs: string[] = [],
): Promise<RunningHandler> {
  const port = nextPort++;
  const spawnedAt = process.hrtime.bigint();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...nodeArgs,
      // The framework CLI listens on every interface; the benchmark stays on loopback.
      '--require',
      join(REPO, 'dev/loopback-only.js'),
      FRAMEWORK_CLI,
      `--target=${spec.target}`,
      '--signature-type=cloudevent',
      `--port=${port}`,
      ...(spec.source ? [`--source=${spec.source}`] : []),
    ],
    {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '',
        // No local gcloud credentials, and no gcloud shell-out (google-auth-library may run
        // `gcloud` to find a project when GOOGLE_CLOUD_PROJECT is unset).
        HOME: mkdtempSync(join(tmpdir(), 'bqal-bench-home-')),
        METADATA_SERVER_DETECTION: 'assume-present',
        NODE_ENV: 'production',
        ...env,
        ...spec.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    // Only the start is kept (for a failure message); per-event log lines are dropped.
    if (output.length < 20_000) output += chunk.toString('utf8');
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      exitCode = code;
      done(code);
    }),
  );
  // With NODE_ENV=production (as on Cloud Run) the framework prints no "Serving function"
  // line, so readiness is the first accepted TCP connection, probed every millisecond.
  const ready = (async () => {
    for (;;) {
      if (exitCode !== undefined) throw new Error(`${spec.name} exited (${exitCode}):\n${output}`);
      if (await accepts(port)) return Number(process.hrtime.bigint() - spawnedAt) / 1e6;
      await new Promise((wait) => setTimeout(wait, 1));
    }
  })();
  const readyMs = await ready;
  return {
    pid: child.pid ?? 0,
    url: `http://127.0.0.1:${port}/`,
    readyMs,
    spawnedAt,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}
