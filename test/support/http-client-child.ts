/**
 * Runs the production HTTP client (src/gcp/http.ts) in a child process, where the TLS trust
 * store and the proxy come from the environment exactly as in a deployed function:
 * `NODE_EXTRA_CA_CERTS` is read at Node's start-up only, so no in-process test can add a CA.
 * Started by `runHttpClient`; the requests go one after another over one client (keep-alive).
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { createHttpClient, type HttpMethod } from '../../src/gcp/http';

export interface ChildRequest {
  method: HttpMethod;
  url: string;
  body?: string;
  headers?: Record<string, string>;
}

export type ChildResult =
  | { status: number; headers: Record<string, unknown>; body: string }
  | { error: { name: string; code?: string; message: string } };

export interface ChildRun {
  /** The client's `proxy` (the proxy without credentials), if any. */
  proxy: string | null;
  results: ChildResult[];
}

const REPO = resolve(__dirname, '../..');

/** `env` is the child's whole environment (plus PATH to node): nothing leaks in from jest. */
export async function runHttpClient(
  requests: ChildRequest[],
  env: Record<string, string>,
): Promise<ChildRun> {
  // The requests go through stdin: an argument is limited to 128 KiB on Linux.
  const child = spawn(process.execPath, ['--import', 'tsx', __filename], {
    cwd: REPO,
    env: { PATH: dirname(process.execPath), ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(JSON.stringify(requests));
  const exited = new Promise<number | null>((done) => child.once('close', done));
  const [stdout, stderr, code] = await Promise.all([
    text(child.stdout),
    text(child.stderr),
    exited,
  ]);
  if (code !== 0) throw new Error(`the HTTP client child exited with ${code}:\n${stderr}`);
  return JSON.parse(stdout) as ChildRun;
}

async function main(requests: ChildRequest[]): Promise<void> {
  const client = createHttpClient();
  const results: ChildResult[] = [];
  for (const request of requests) {
    try {
      const answer = await client.request({
        headers: {},
        ...request,
        timeoutMs: 10_000,
      });
      results.push({
        status: answer.status,
        headers: answer.headers,
        body: answer.body.toString('utf8'),
      });
    } catch (error) {
      const { name, code, message } = error as { name: string; code?: string; message: string };
      results.push({ error: { name, code, message } });
    }
  }
  client.close();
  process.stdout.write(JSON.stringify({ proxy: client.proxy ?? null, results }));
}

if (process.argv[1] && join(process.argv[1]) === __filename) {
  text(process.stdin)
    .then((input) => main(JSON.parse(input) as ChildRequest[]))
    .catch((error: unknown) => {
      process.stderr.write(String((error as Error).stack ?? error));
      process.exit(1);
    });
}
