/**
 * Commands find the local stack `npm start` runs by themselves: it leaves
 * `<AUTOLOADER_LOCAL_DIR or ./local>/stack.json` (LocalStackInfo below), and a command that talks
 * to Google reads it when the user pointed it nowhere else (no emulator or metadata variable
 * set). It then sets exactly the variables it would use in the cloud — the metadata server,
 * the Storage and BigQuery endpoints, the project and the rules file — so no code path knows
 * it is local. A stack.json whose servers do not answer (left by a stopped `npm start`) is an
 * error that says so, instead of a "fetch failed" from the first request.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { envText } from '../core/env';
import { readCliSettings } from '../settings';
import type { Out } from './output';

/** What `npm start` (dev/start.ts) writes to stack.json: how other commands reach it. */
export interface LocalStackInfo {
  project: string;
  functionUrl: string;
  bigqueryUrl: string;
  gcsUrl: string;
  metadataHost: string;
  config: string;
  /** The status page (dev/status/server.ts). */
  statusUrl: string;
}

/** The fields a command reads; an older stack.json may lack the others. */
type StackFile = Pick<
  LocalStackInfo,
  'project' | 'bigqueryUrl' | 'gcsUrl' | 'metadataHost' | 'config'
>;

/** `<local dir>/stack.json`. */
export function stackFile(localDir: string): string {
  return join(localDir, 'stack.json');
}

/** Variables that mean "I chose where to connect": the stack is then not looked for. */
const CHOSEN = ['GCE_METADATA_HOST', 'STORAGE_EMULATOR_HOST', 'BIGQUERY_EMULATOR_HOST'];

export class LocalStackError extends Error {}

export function stackFilePath(env: NodeJS.ProcessEnv): string {
  return stackFile(readCliSettings(env).localDir);
}

/**
 * Points `env` at the local stack when one runs and the user chose nothing else. It changes
 * `env` in place: the CLI passes process.env, which Google's auth library reads directly
 * (the metadata server it asks for tokens), so everything in the process follows.
 */
export async function useLocalStack(
  env: NodeJS.ProcessEnv,
  stderr: Out = process.stderr,
): Promise<NodeJS.ProcessEnv> {
  if (CHOSEN.some((name) => envText(env, name) !== undefined)) return env;
  const file = stackFilePath(env);
  const info = await readStackFile(file);
  if (!info) return env;
  const down = await firstDown([
    `http://${info.metadataHost}/`,
    `${info.gcsUrl}/storage/v1/b`,
    info.bigqueryUrl,
  ]);
  if (down) {
    throw new LocalStackError(
      `the local stack is not running (${file} is left from an earlier npm start; ${down} does not answer): start it with npm start, or delete ${file} to use Google Cloud`,
    );
  }
  stderr.write(`using the local stack started by npm start (${file})\n`);
  return Object.assign(env, {
    GCE_METADATA_HOST: info.metadataHost,
    METADATA_SERVER_DETECTION: 'assume-present',
    STORAGE_EMULATOR_HOST: `${info.gcsUrl}/storage/v1`,
    BIGQUERY_EMULATOR_HOST: info.bigqueryUrl,
    GOOGLE_CLOUD_PROJECT: envText(env, 'GOOGLE_CLOUD_PROJECT') ?? info.project,
    AUTOLOADER_CONFIG: envText(env, 'AUTOLOADER_CONFIG') ?? info.config,
  });
}

async function readStackFile(file: string): Promise<StackFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let info: Partial<StackFile>;
  try {
    info = JSON.parse(text) as Partial<StackFile>;
  } catch {
    throw new LocalStackError(
      `${file} is not JSON: delete it, then start the stack with npm start`,
    );
  }
  const missing = (['project', 'bigqueryUrl', 'gcsUrl', 'metadataHost', 'config'] as const).filter(
    (key) => typeof info[key] !== 'string',
  );
  if (missing.length > 0) {
    throw new LocalStackError(
      `${file} lacks ${missing.join(', ')}: delete it, then start the stack with npm start`,
    );
  }
  // The commands send a bearer token to these addresses: only this machine's loopback, so a
  // stack.json planted in a folder cannot collect an operator's credentials.
  const foreign = [
    `http://${info.metadataHost}/`,
    info.gcsUrl as string,
    info.bigqueryUrl as string,
  ].find((url) => !isLoopback(url));
  if (foreign) {
    throw new LocalStackError(
      `${file} points at ${foreign}, which is not this machine's loopback (127.0.0.1, localhost, [::1]): the local stack never does; delete the file`,
    );
  }
  return info as StackFile;
}

function isLoopback(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return (
      protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(hostname.toLowerCase())
    );
  } catch {
    return false;
  }
}

/**
 * The first URL nothing listens on. Any HTTP answer, even a 404, means the server is up; a
 * local server answers in milliseconds, so two seconds without one means it is gone.
 */
async function firstDown(urls: string[]): Promise<string | undefined> {
  const answers = await Promise.all(
    urls.map((url) =>
      fetch(url, { signal: AbortSignal.timeout(2000) }).then(
        async (response) => {
          await response.body?.cancel();
          return undefined;
        },
        () => url,
      ),
    ),
  );
  return answers.find((url) => url !== undefined);
}

/**
 * `local …` commands: the running local stack (or the local server `needs` names, set by
 * hand), or an error that says how to start one.
 */
export async function localStackOnly(
  env: NodeJS.ProcessEnv,
  needs: 'STORAGE_EMULATOR_HOST' | 'BIGQUERY_EMULATOR_HOST',
): Promise<NodeJS.ProcessEnv> {
  const found = await useLocalStack(env);
  if (envText(found, needs) === undefined) {
    throw new LocalStackError(
      `no local stack found (${stackFilePath(env)} is missing): start it with npm start, or set ${needs}`,
    );
  }
  return found;
}
