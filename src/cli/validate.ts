/** `bq-autoloader validate [--config F]`: the same checks a cold start makes, as a command. */
import { ConfigError, type ConfigIssue, formatIssue } from '../config/errors';
import { UniverseMismatchError } from '../core/universe';
import { routePreview } from '../routing/staged-preview';
import { loadRules } from '../rules/load';
import { readCliSettings } from '../settings';
import { gcsRulesReader, rulesFile } from './rules';

export async function validate(
  options: { config?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ exitCode: number }> {
  const location = rulesFile(options.config, env);
  try {
    const rules = await loadRules(location, gcsRulesReader(env));
    const warnings = rules.warnings ?? [];
    reportWarnings(location, warnings);
    const noted = warnings.length > 0 ? `, ${warnings.length} warnings` : '';
    process.stdout.write(`${location}: OK (${rules.routes.length} routes${noted})\n`);
    // Staged routes: what their loads will run (docs/transforms.md).
    const billing = rules.config.project ?? readCliSettings(env).project ?? 'RUNTIME_PROJECT';
    for (const route of rules.routes) {
      const preview = routePreview(rules, route, billing);
      if (preview)
        process.stdout.write(`route ${route.name}:\n${preview.map((l) => `  ${l}`).join('\n')}\n`);
    }
    return { exitCode: 0 };
  } catch (error) {
    if (error instanceof ConfigError) reportConfigError(location, error);
    else if (error instanceof UniverseMismatchError) process.stderr.write(`${error.message}\n`);
    else throw error;
    return { exitCode: 1 };
  }
}

/**
 * `F: invalid`, then one line per problem: `F:line:column: path: why` (an editor or terminal
 * opens it at the spot), or `F: path: why` when the position is unknown.
 */
export function reportConfigError(
  location: string,
  error: ConfigError,
  stderr: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
): void {
  stderr.write(`${location}: invalid\n`);
  for (const issue of error.issues) {
    stderr.write(`  ${formatIssue(location, { ...issue, path: issue.path || '(file)' })}\n`);
  }
}

/** One `warning:` line per problem that does not stop the rules (src/routing/checks.ts). */
export function reportWarnings(
  location: string,
  warnings: readonly ConfigIssue[],
  stderr: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
): void {
  for (const issue of warnings) stderr.write(`  warning: ${formatIssue(location, issue)}\n`);
}
