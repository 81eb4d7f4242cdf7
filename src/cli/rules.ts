/**
 * Loads the rules for a CLI command the way a cold start does (file or gs://), answering a
 * broken rules file with its path-precise message and exit code 1 instead of a stack trace.
 */
import { existsSync } from 'node:fs';
import { ConfigError } from '../config/errors';
import { envText } from '../core/env';
import { isGsUri } from '../core/gs-uri';
import { lazy } from '../core/lazy';
import { UniverseMismatchError } from '../core/universe';
import { createGoogleEdge, type GoogleEdge } from '../gcp/edge';
import { createObjectReader, type ObjectReader } from '../gcp/storage/objects';
import type { CompiledRules } from '../routing/compile';
import { applyEndpoints, loadRulesOnEdge } from '../rules/endpoints';
import { loadRules, type TextReader } from '../rules/load';
import { DEFAULT_CONFIG_LOCATION } from '../settings';
import type { Out } from './output';

export class RulesFileMissing extends Error {}

const LOCAL_DEFAULT = DEFAULT_CONFIG_LOCATION;
const EXAMPLE = './examples/autoloader.yaml';

/**
 * The rules file a command reads, found as `npm start` finds it: --config, else
 * AUTOLOADER_CONFIG, else ./autoloader.yaml, else (in a checkout) examples/autoloader.yaml,
 * which is said on stderr. A local file that is not there is one clear error, not an ENOENT.
 */
export function rulesFile(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  stderr: Out = process.stderr,
): string {
  const set = flag ?? envText(env, 'AUTOLOADER_CONFIG');
  const location =
    set ?? (existsSync(LOCAL_DEFAULT) || !existsSync(EXAMPLE) ? LOCAL_DEFAULT : EXAMPLE);
  if (location === EXAMPLE) {
    stderr.write(
      `no ${LOCAL_DEFAULT} here: using the example rules ${EXAMPLE}, as npm start does\n`,
    );
  }
  if (!isGsUri(location) && !existsSync(location)) {
    const from = flag ? '--config' : set ? 'AUTOLOADER_CONFIG' : 'the default';
    throw new RulesFileMissing(
      `no rules file at ${location} (${from}): create it (see examples/autoloader.yaml), pass --config FILE or set AUTOLOADER_CONFIG`,
    );
  }
  return location;
}

export type CliRules =
  | { ok: true; rules: CompiledRules; location: string }
  | { ok: false; exitCode: 1 };

/**
 * With `google`, the commands that call Google (sweep, status) then point its edge at the
 * universe and endpoints the rules and credentials decide, as the function does at start.
 */
export async function loadCliRules(
  location: string,
  reader: Pick<ObjectReader, 'readText'>,
  stderr: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
  google?: { edge: GoogleEdge; env: NodeJS.ProcessEnv },
): Promise<CliRules> {
  try {
    const read: TextReader = (u) => reader.readText(u);
    const rules = google
      ? (await loadRulesOnEdge(location, google.edge, read, google.env)).rules
      : await loadRules(location, read);
    return { ok: true, rules, location };
  } catch (error) {
    if (!isStartupRefusal(error)) throw error;
    stderr.write(`${error.message}\n`);
    return { ok: false, exitCode: 1 };
  }
}

/**
 * Reads gs:// rules files for the commands that only check them (validate, compile): before
 * the first read its edge is pointed at the universe the environment and credentials name.
 */
export function gcsRulesReader(env: NodeJS.ProcessEnv): TextReader {
  const edge = createGoogleEdge({ env });
  const reader = createObjectReader({ edge });
  const ready = lazy(() => applyEndpoints(edge, {}, env));
  return async (uri) => {
    await ready();
    return reader.readText(uri);
  };
}

/** A universe mismatch found by a command: its message on stderr, exit code 1. */
export function isStartupRefusal(error: unknown): error is Error {
  return error instanceof ConfigError || error instanceof UniverseMismatchError;
}
