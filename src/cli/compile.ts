/**
 * `bq-autoloader compile [FILE | --config F] [--out F]`: the rules file as the JSON a
 * deployment should read. It is checked exactly as a cold start checks it, the schema files
 * it names are read into it and every default is written out, so the function reads one
 * self-contained file and, the file being JSON, never loads a YAML parser. The function
 * validates it again at cold start: the JSON is an input like any other, not a trusted cache.
 */
import { writeFile } from 'node:fs/promises';
import { ConfigError } from '../config/errors';
import { loadRules, type TextReader } from '../rules/load';
import { gcsRulesReader, rulesFile } from './rules';
import { UsageError } from './usage';
import { reportConfigError } from './validate';

export interface CompileIo {
  readGcsText: TextReader;
  stdout: Pick<NodeJS.WriteStream, 'write'>;
  stderr: Pick<NodeJS.WriteStream, 'write'>;
}

export async function compile(
  file: string | undefined,
  options: { config?: string; out?: string },
  env: NodeJS.ProcessEnv = process.env,
  io: CompileIo = {
    readGcsText: gcsRulesReader(env),
    stdout: process.stdout,
    stderr: process.stderr,
  },
): Promise<{ exitCode: number }> {
  if (file !== undefined && options.config !== undefined) {
    throw new UsageError('compile takes one rules file: FILE or --config FILE, not both');
  }
  const location = rulesFile(file ?? options.config, env, io.stderr);
  try {
    // The loader a cold start runs: every problem located in the file's text.
    const rules = await loadRules(location, io.readGcsText);
    const resolved = rules.config;
    const json = `${JSON.stringify(resolved, null, 2)}\n`;
    if (options.out) {
      await writeFile(options.out, json);
      io.stderr.write(`${location} → ${options.out} (${rules.routes.length} routes)\n`);
    } else {
      io.stdout.write(json);
    }
    return { exitCode: 0 };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    reportConfigError(location, error, io.stderr);
    return { exitCode: 1 };
  }
}
