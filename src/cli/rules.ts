/**
 * Loads the rules for a CLI command the way a cold start does (file or gs://), answering a
 * broken rules file with its path-precise message and exit code 1 instead of a stack trace.
 */
import { ConfigError } from '../config/errors';
import type { ObjectReader } from '../gcp/storage/objects';
import type { CompiledRules } from '../routing/compile';
import { loadRules } from '../rules/load';

export type CliRules =
  | { ok: true; rules: CompiledRules; location: string }
  | { ok: false; exitCode: 1 };

export async function loadCliRules(
  location: string,
  reader: Pick<ObjectReader, 'readText'>,
  stderr: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
): Promise<CliRules> {
  try {
    return { ok: true, rules: await loadRules(location, (u) => reader.readText(u)), location };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    stderr.write(`${error.message}\n`);
    return { ok: false, exitCode: 1 };
  }
}
