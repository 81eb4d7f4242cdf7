/**
 * Loads the rules file at cold start (an edge: it reads files and gs:// objects) and hands
 * the text to the pure parser and compiler. Any problem is a ConfigError naming the path.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/errors';
import { parseConfig } from '../config/parse';
import { type ResolvedConfig, resolveSchemaFiles } from '../config/resolve-schemas';
import { isGsUri } from '../core/gs-uri';
import { type CompiledRules, compileRules } from '../routing/compile';
import { findShadowedRoutes } from '../routing/shadowing';

// The function's entry point takes the location from here, next to the loader.
export { configLocation, DEFAULT_CONFIG_LOCATION } from '../settings';

export type TextReader = (pathOrGsUri: string) => Promise<string>;

/**
 * Reads, validates and compiles the rules. `readGcsText` is only called for gs:// locations,
 * so a deployment with a bundled rules file never needs Storage access for it.
 */
export async function loadRules(location: string, readGcsText: TextReader): Promise<CompiledRules> {
  return compileChecked(await readRules(location, readGcsText), location);
}

/** Reads and validates the rules file, with the schema files it names read into it. */
export async function readRules(
  location: string,
  readGcsText: TextReader,
): Promise<ResolvedConfig> {
  const readText: TextReader = (where) =>
    isGsUri(where) ? readGcsText(where) : readLocalText(where);
  const text = await readText(location).catch((cause: unknown) => {
    throw new ConfigError(`${location}: cannot read the rules file (${describe(cause)})`, [
      { path: '', message: `cannot read ${location}: ${describe(cause)}` },
    ]);
  });
  const config = parseConfig(text, location);
  return resolveSchemaFiles(config, location, readText);
}

/** Compiles validated rules; a route that can never match is a ConfigError too. */
export function compileChecked(resolved: ResolvedConfig, location: string): CompiledRules {
  const rules = compileRules(resolved, location);
  const shadowed = findShadowedRoutes(rules);
  if (shadowed.length > 0) {
    const issues = shadowed.map((s) => ({
      path: `routes[${s.index}]`,
      message: `route "${s.route}" can never match: route "${s.shadowedBy}" before it matches every object it would`,
    }));
    throw new ConfigError(
      `${location}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return rules;
}

async function readLocalText(path: string): Promise<string> {
  return readFile(path, 'utf8');
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    // Node's own messages already start with the code ("ENOENT: no such file…"): once is enough.
    return code && !cause.message.startsWith(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}
