#!/usr/bin/env node
/**
 * `bq-autoloader` — the operator's command line (docs/cli.md). The commands live in src/cli/
 * (src/cli/program.ts names them); this file runs one and is the one place that sets the
 * exit code: 0 ok, 1 failure, 2 usage error (src/cli/usage.ts).
 */
import { CommanderError } from 'commander';
import { LocalStackError } from './cli/local-stack';
import { buildProgram } from './cli/program';
import { RulesFileMissing } from './cli/rules';
import { EXIT } from './cli/usage';
import { SettingError } from './core/env';
import { UniverseMismatchError } from './core/universe';
import { PermanentError, RetryableError } from './errors';
import { setLogSink } from './log';

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // Log lines go to stderr: stdout holds only the command's result.
  setLogSink((line) => process.stderr.write(`${line}\n`));
  let code: number = EXIT.ok;
  const program = buildProgram(env, (exit) => {
    code = exit.exitCode;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    // Commander has printed its message (help or version on stdout, usage errors on stderr).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw error;
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Errors a user can act on (a stale local stack, a missing rules file, a bad setting,
    // Google's refusal) carry what to do in their message; anything else is a bug, whose
    // stack is what a report needs.
    const expected =
      error instanceof LocalStackError ||
      error instanceof RulesFileMissing ||
      error instanceof SettingError ||
      error instanceof RetryableError ||
      error instanceof PermanentError ||
      error instanceof UniverseMismatchError;
    const text =
      error instanceof Error ? (expected ? error.message : String(error.stack)) : String(error);
    process.stderr.write(`${text}\n`);
    process.exitCode = EXIT.failure;
  },
);
