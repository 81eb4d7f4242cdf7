/**
 * Loads the rules file at cold start (an edge: it reads files and gs:// objects) and hands
 * the text to the pure parser, compiler and checks. Any problem is a ConfigError naming the
 * path and, located in the file's text, its line and column.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/errors';
import { parseConfig } from '../config/parse';
import { locateError, locateIssues } from '../config/positions';
import { type ResolvedConfig, resolveSchemaFiles } from '../config/resolve-schemas';
import { isGsUri } from '../core/gs-uri';
import { checkRules } from '../routing/checks';
import { type CompiledRules, compileRules } from '../routing/compile';

// The function's entry point takes the location from here, next to the loader.

export type TextReader = (pathOrGsUri: string) => Promise<string>;

/**
 * Reads, validates and compiles the rules. `readGcsText` is only called for gs:// locations,
 * so a deployment with a bundled rules file never needs Storage access for it.
 */
export async function loadRules(location: string, readGcsText: TextReader): Promise<CompiledRules> {
  const readText = textReader(readGcsText);
  const text = await readRulesText(location, readText);
  try {
    const resolved = await resolveSchemaFiles(parseConfig(text, location), location, readText);
    return compileChecked(resolved, location, text);
  } catch (error) {
    throw error instanceof ConfigError ? locateError(error, text) : error;
  }
}

/**
 * Compiles validated rules and checks them (src/routing/checks.ts): a route that can never
 * match is a ConfigError too; warnings ride on the result. With the file's `text`, every
 * problem carries its line and column.
 */
function compileChecked(resolved: ResolvedConfig, location: string, text?: string): CompiledRules {
  const rules = compileRules(resolved, location);
  const { errors, warnings } = checkRules(rules);
  const located = (issues: typeof errors) =>
    text === undefined || issues.length === 0 ? issues : locateIssues(text, issues);
  if (errors.length > 0) throw ConfigError.fromIssues(location, located(errors));
  return warnings.length > 0 ? { ...rules, warnings: located(warnings) } : rules;
}

function textReader(readGcsText: TextReader): TextReader {
  return (where) => (isGsUri(where) ? readGcsText(where) : readFile(where, 'utf8'));
}

async function readRulesText(location: string, readText: TextReader): Promise<string> {
  return readText(location).catch((cause: unknown) => {
    throw new ConfigError(`${location}: cannot read the rules file (${describe(cause)})`, [
      { path: '', message: `cannot read ${location}: ${describe(cause)}` },
    ]);
  });
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    // Node's own messages already start with the code ("ENOENT: no such file…"): once is enough.
    return code && !cause.message.startsWith(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}
