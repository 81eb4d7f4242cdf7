/**
 * Runs the built function under the real Functions Framework CLI, as Cloud Run does, in a
 * child process with the environment a test chooses (local metadata, GCS and BigQuery
 * servers). Collects its structured log lines so tests can assert on outcomes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port';

const REPO = resolve(__dirname, '../..');
// The package's exports map hides its CLI entry, so it is addressed by path.
const FRAMEWORK_CLI = join(
  REPO,
  'node_modules/@google-cloud/functions-framework/build/src/main.js',
);

export interface FunctionProcess {
  url: string;
  port: number;
  /** Parsed JSON log lines written so far. */
  logs: Record<string, unknown>[];
  /** Raw stdout/stderr, for failure messages. */
  output(): string;
  /** Resolves with the first log line (past or future) satisfying the predicate. */
  waitForLog(
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves when the process exits (for tests expecting a failed start). */
  exited: Promise<number | null>;
  stop(): Promise<void>;
  /** Sends the signal (SIGKILL: no handler runs, no line is flushed) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export async function startFunction(env: Record<string, string>): Promise<FunctionProcess> {
  const port = await freePort();
  const home = mkdtempSync(join(tmpdir(), 'bqal-home-'));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      // The framework CLI listens on every interface; tests stay on loopback.
      '--require',
      join(REPO, 'dev/loopback-only.js'),
      FRAMEWORK_CLI,
      '--target=autoload',
      '--signature-type=cloudevent',
      `--port=${port}`,
    ],
    {
      cwd: REPO,
      env: {
        PATH: process.env.PATH ?? '',
        // No local gcloud credentials may leak in, and no gcloud shell-out: without
        // GOOGLE_CLOUD_PROJECT, google-auth-library may run `gcloud` to find a project (≈1 s).
        HOME: home,
        METADATA_SERVER_DETECTION: 'assume-present',
        GOOGLE_CLOUD_PROJECT: 'test-project',
        NODE_ENV: 'test',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let raw = '';
  const logs: Record<string, unknown>[] = [];
  const waiters: {
    predicate: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  let buffered = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    raw += text;
    buffered += text;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        logs.push(parsed);
        for (const waiter of [...waiters]) {
          if (waiter.predicate(parsed)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(parsed);
          }
        }
      } catch {
        // not a log line of ours
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolveExit) =>
    child.once('exit', (code) => resolveExit(code)),
  );

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };

  const ready = await Promise.race([
    new Promise<boolean>((resolveReady) => {
      const check = () => {
        if (raw.includes('Serving function')) resolveReady(true);
        else setTimeout(check, 25);
      };
      check();
    }),
    exited.then(() => false),
    new Promise<boolean>((resolveTimeout) => setTimeout(() => resolveTimeout(false), 20_000)),
  ]);
  const process_: FunctionProcess = {
    url: `http://127.0.0.1:${port}`,
    port,
    logs,
    output: () => raw,
    waitForLog(predicate, timeoutMs = 15_000) {
      const found = logs.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolveLog, rejectLog) => {
        const timer = setTimeout(() => {
          rejectLog(new Error(`no matching log line within ${timeoutMs} ms; output:\n${raw}`));
        }, timeoutMs);
        waiters.push({
          predicate,
          resolve: (line) => {
            clearTimeout(timer);
            resolveLog(line);
          },
        });
      });
    },
    exited,
    stop,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await exited;
      }
    },
  };
  if (!ready && child.exitCode === null) {
    await stop();
    throw new Error(`function did not start:\n${raw}`);
  }
  return process_;
}
