/** `bq-autoloader validate [--config F]`: the same checks a cold start makes, as a command. */
import { ConfigError } from '../config/errors';
import { UniverseMismatchError } from '../core/universe';
import { loadRules } from '../rules/load';
import { gcsRulesReader, rulesFile } from './rules';

export async function validate(
  options: { config?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ exitCode: number }> {
  const location = rulesFile(options.config, env);
  try {
    const rules = await loadRules(location, gcsRulesReader(env));
    process.stdout.write(`${location}: OK (${rules.routes.length} routes)\n`);
    return { exitCode: 0 };
  } catch (error) {
    if (error instanceof ConfigError) reportConfigError(location, error);
    else if (error instanceof UniverseMismatchError) process.stderr.write(`${error.message}\n`);
    else throw error;
    return { exitCode: 1 };
  }
}

/** `F: invalid`, then one line per problem with its path in the rules file. */
export function reportConfigError(
  location: string,
  error: ConfigError,
  stderr: Pick<NodeJS.WriteStream, 'write'> = process.stderr,
): void {
  stderr.write(`${location}: invalid\n`);
  for (const issue of error.issues) stderr.write(`  ${issue.path || '(file)'}: ${issue.message}\n`);
}
