/**
 * The local stack's rules check: the same loader a cold start runs (src/rules/load.ts), its
 * problems as `file:line:column: path: why` lines. `npm start` runs it before anything
 * listens, and again on every edit of the rules file (dev/rules-reload.ts).
 */
import { ConfigError, formatIssue } from '../src/config/errors';
import { loadRules } from '../src/rules/load';
import { StartProblem } from './start-problem';

export type RulesCheck =
  | { ok: true; routes: number; warnings: string[] }
  | { ok: false; problems: string[] };

export async function checkRulesFile(location: string): Promise<RulesCheck> {
  try {
    const rules = await loadRules(location, async (uri) => {
      throw new Error(`the local stack reads local files only, not ${uri}`);
    });
    const warnings = (rules.warnings ?? []).map((w) => `warning: ${formatIssue(location, w)}`);
    return { ok: true, routes: rules.routes.length, warnings };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.source
      ? error.issues.map((issue) => formatIssue(location, issue))
      : [error.message];
    return { ok: false, problems };
  }
}

/** The rules at start: warnings printed, problems stop `npm start` before anything runs. */
export async function requireGoodRules(
  location: string,
  write: (text: string) => void = (t) => process.stderr.write(t),
): Promise<void> {
  const check = await checkRulesFile(location);
  if (!check.ok) {
    throw new StartProblem(
      [
        `${location}: invalid rules, not starting:`,
        ...check.problems.map((p) => `  ${p}`),
        'Fix them (`npx bq-autoloader validate --config FILE` checks a file) and run npm start again.',
      ].join('\n'),
    );
  }
  for (const warning of check.warnings) write(`${warning}\n`);
}
