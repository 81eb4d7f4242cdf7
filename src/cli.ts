#!/usr/bin/env node
/**
 * `bq-autoloader` — the operator's command line (docs/cli.md). The commands live in src/cli/
 * (src/cli/program.ts names them); this file runs one and is the one place that sets the
 * exit code: 0 ok, 1 failure, 2 usage error (src/cli/usage.ts).
 */
import { CommanderError } from 'commander';
import { buildProgram } from './cli/program';
import { EXIT } from './cli/usage';
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
    // Errors a user can act on (a stale local stack, a missing rules file, a bad setting)
    // carry what to do in their message.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT.failure;
  },
);
