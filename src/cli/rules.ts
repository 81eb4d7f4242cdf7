/**
 * Loads the rules for a CLI command the way a cold start does (file or gs://), answering a
 * broken rules file with its path-precise message and exit code 1 instead of a stack trace.
 */
import { ConfigError } from '../config/errors';
import { UniverseMismatchError } from '../core/universe';
import type { GoogleEdge } from '../gcp/edge';
import type { ObjectReader } from '../gcp/storage/objects';
import type { CompiledRules } from '../routing/compile';
import { applyEndpoints } from '../rules/endpoints';
import { loadRules } from '../rules/load';

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
    const rules = await loadRules(location, (u) => reader.readText(u));
    if (google) await applyEndpoints(google.edge, rules.config, google.env, location);
    return { ok: true, rules, location };
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof UniverseMismatchError)) throw error;
    stderr.write(`${error.message}\n`);
    return { ok: false, exitCode: 1 };
  }
}
