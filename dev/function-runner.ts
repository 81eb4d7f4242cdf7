/**
 * The function under the real Functions Framework, as a child process the local stack can
 * restart: a cold start is the only time the function reads its rules, so new rules mean a
 * new process (dev/rules-reload.ts). Its log lines go to our stdout.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { lineFormatter } from './pretty-log';

export interface FunctionRunner {
  /** Stops the running process and starts a new one; resolves once it serves. */
  restart(): Promise<void>;
  stop(): void;
}

export interface FunctionRunnerOptions {
  port: number;
  env: NodeJS.ProcessEnv;
  /** Called when the process exits without being stopped or restarted by us. */
  onUnexpectedExit(code: number | null): void;
  /** `npm start -- --json-logs`: the function's lines as JSON, not one readable line each. */
  jsonLogs: boolean;
}

export async function startFunctionRunner(options: FunctionRunnerOptions): Promise<FunctionRunner> {
  let current = spawnFunction(options.port, options.env);
  const watch = (fn: ChildProcess) =>
    fn.once('exit', (code) => {
      if (fn === current) options.onUnexpectedExit(code);
    });
  watch(current);
  await waitForServing(current, options.jsonLogs);
  return {
    async restart() {
      const old = current;
      const exited = new Promise((done) => old.once('exit', done));
      // Ours to stop: replaced before the kill, so its exit is not unexpected. The new
      // process needs the port, so it starts once the old one is gone (the watcher retries
      // an event posted in between).
      current = undefined as unknown as ChildProcess;
      old.kill('SIGTERM');
      await exited;
      current = spawnFunction(options.port, options.env);
      watch(current);
      await waitForServing(current, options.jsonLogs);
    },
    stop() {
      const fn = current;
      current = undefined as unknown as ChildProcess;
      fn.kill('SIGTERM');
    },
  };
}

function spawnFunction(port: number, env: NodeJS.ProcessEnv): ChildProcess {
  const root = resolve(__dirname, '..');
  return spawn(
    process.execPath,
    [
      // The framework CLI listens on every interface; the local stack stays on loopback.
      '--require',
      resolve(__dirname, 'loopback-only.js'),
      resolve(root, 'node_modules/@google-cloud/functions-framework/build/src/main.js'),
      '--target=autoload',
      '--signature-type=cloudevent',
      `--port=${port}`,
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] },
  );
}

/**
 * The function's log lines go to our stdout, one readable line each (pretty-log.ts; JSON
 * with `npm start -- --json-logs`); "Serving function" means it is listening.
 */
function waitForServing(fn: ChildProcess, jsonLogs: boolean): Promise<void> {
  const print = lineFormatter((text) => process.stdout.write(text), jsonLogs);
  return new Promise((resolveReady, rejectReady) => {
    let seen = '';
    fn.stdout?.on('data', (chunk: Buffer) => {
      print(chunk);
      if (!seen.includes('Serving function')) {
        seen += chunk.toString('utf8');
        if (seen.includes('Serving function')) resolveReady();
      }
    });
    fn.once('exit', (code) => rejectReady(new Error(`the function exited with ${code}`)));
  });
}
