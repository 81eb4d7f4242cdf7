/**
 * The `bq-autoloader` command line: every command, its arguments and options, as one
 * Commander program (docs/cli.md). Commander is the argument parser here because it is the
 * most used and best kept for Node, has no dependencies of its own, and gives every command
 * `--help`, `--version`, unknown-option and missing-argument errors, and option-value checks
 * for free. It is a devDependency bundled into dist/cli.js only (build.mjs): the deployed
 * function never loads it.
 */
import { Command, Option } from 'commander';
import { version } from '../../package.json';
import { compile } from './compile';
import { localLoad } from './local-load';
import { localQuery } from './local-query';
import { localStackOnly, useLocalStack } from './local-stack';
import { plan } from './plan';
import { publishRequest } from './publish';
import { retry } from './retry';
import { status } from './status';
import { sweep } from './sweep';
import { digits, duration, type Exit, keyValue, repeated, UsageError, wholeNumber } from './usage';
import { validate } from './validate';

const CONFIG = [
  '--config <file>',
  'the rules file (default: $AUTOLOADER_CONFIG, ./autoloader.yaml, else examples/autoloader.yaml)',
] as const;
const JSON_FLAG = ['--json', 'print the result as JSON, for scripts'] as const;
const PROJECT = [
  '--project <project>',
  'the project jobs are billed to (default: $GOOGLE_CLOUD_PROJECT, else the credentials’)',
] as const;

/** Builds the program; `finish` receives each command's exit code. */
export function buildProgram(env: NodeJS.ProcessEnv, finish: (exit: Exit) => void): Command {
  const program = new Command('bq-autoloader')
    .description('Loads Cloud Storage files and Pub/Sub messages into BigQuery, exactly once.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for the command')
    .exitOverride()
    .showHelpAfterError('(run the command with --help for its usage)')
    .addHelpText('after', '\nExit codes: 0 ok, 1 failure, 2 usage error (plan: 3 not loaded).');
  // Runs a command; a UsageError it finds becomes Commander's own usage error (stderr, exit 2).
  const run =
    <A extends unknown[]>(work: (...args: A) => Promise<Exit>) =>
    async (...args: A) => {
      const command = args[args.length - 1] as Command;
      try {
        finish(await work(...args));
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        command.error(`error: ${error.message}`, { exitCode: 2, code: 'bq-autoloader.usage' });
      }
    };
  const stack = () => useLocalStack(env);

  program
    .command('validate')
    .description(
      'check the rules file as a cold start does; exit 1 with every problem, path by path',
    )
    .option(...CONFIG)
    .action(run((opts: { config?: string }) => validate(opts, env)));

  program
    .command('compile')
    .description(
      'the checked rules as one self-contained JSON file (schema files inlined) for deploy',
    )
    .argument('[file]', 'the rules file (or --config)')
    .option(...CONFIG)
    .option('--out <file>', 'write the JSON there instead of stdout')
    .action(run((file: string | undefined, opts) => compile(file, opts, env)));

  program
    .command('plan')
    .description('the exact Job JSON jobs.insert would receive for an object (exit 3: not loaded)')
    .argument('<object>', 'gs://BUCKET/NAME')
    .option(...CONFIG)
    .option(
      '--generation <G>',
      'describe the object by flags (offline) instead of reading it',
      digits,
    )
    .option('--size <bytes>', 'its size (with --generation; default 1)', wholeNumber)
    .option('--content-type <type>', 'its Content-Type (with --generation)')
    .option('--content-encoding <encoding>', 'its Content-Encoding (with --generation)')
    .option('--metadata <key=value>', 'custom metadata, repeatable (with --generation)', keyValue)
    .option('--created <ISO>', 'its creation time (with --generation; default now)')
    .option(...PROJECT)
    .action(
      run(async (uri: string, opts) =>
        plan(uri, opts, opts.generation === undefined ? await stack() : env),
      ),
    );

  program
    .command('sweep')
    .description('list batch routes and missed objects, submit their loads, finish open jobs')
    .option('--route <name>', 'sweep this route only (repeatable; default all)', repeated)
    .option('--dry-run', 'list and plan only: no markers, no jobs')
    .option(
      '--min-age <seconds>',
      'leave younger objects to their events (default 300)',
      wholeNumber,
    )
    .option(...CONFIG)
    .option(...PROJECT)
    .option(...JSON_FLAG)
    .action(run(async (opts) => sweep(opts, await stack())));

  program
    .command('status')
    .description('recent loads (no object), one object explained, or a route summarized')
    .argument('[object]', 'gs://BUCKET/NAME: its state, job, rows and error, or why it has none')
    .option('--generation <G>', 'that generation of the object', digits)
    .option('--route <name>', 'the route’s objects by state, rows and latest failures')
    .addOption(
      new Option('--since <duration>', 'with --route: the window (90s, 30m, 1h, 7d)')
        .argParser(duration)
        .default('1h'),
    )
    .option('--limit <n>', 'recent loads: how many to show (default 20)', wholeNumber)
    .option(...CONFIG)
    .option(...JSON_FLAG)
    .action(run(async (uri: string | undefined, opts) => status(uri, opts, await stack())));

  program
    .command('retry')
    .alias('replay')
    .description('submit the next attempt of each object whose last load job failed')
    .argument('[objects...]', 'gs://BUCKET/NAME ...')
    .option('--prefix <gs://B/P/>', 'every failed object under this prefix instead')
    .option(...CONFIG)
    .option(...PROJECT)
    .option(...JSON_FLAG)
    .action(run(async (uris: string[], opts) => retry(uris, opts, await stack())));

  program
    .command('publish-request')
    .description('send a load request (objects, a prefix) or a file as inline data to a topic')
    .argument('[objects...]', 'gs://BUCKET/NAME ...')
    .requiredOption('--topic <topic>', 'projects/P/topics/T, or T in the resolved project')
    .option('--route <name>', 'the route that loads them')
    .option('--prefix <gs://B/P/>', 'every object under this prefix instead')
    .option('--inline <file>', 'send this file as inline data (needs --route)')
    .option('--format <format>', 'with --inline: csv or ndjson (default: from the file name)')
    .option('--gzip', 'with --inline: compress the file first')
    .option('--attribute <key=value>', 'with --inline: a message attribute, repeatable', keyValue)
    .option(...JSON_FLAG)
    .action(run((uris: string[], opts) => publishRequest(uris, opts, env)));

  const local = program.command('local').description('the local stack started by npm start');
  local
    .command('query')
    .description('run SQL on the local BigQuery (tables named dataset.table)')
    .argument('<sql...>', 'the query')
    .option(...JSON_FLAG)
    .action(
      run(async (sql: string[], opts) =>
        localQuery(sql.join(' '), opts, await localStackOnly(env, 'BIGQUERY_EMULATOR_HOST')),
      ),
    );
  local
    .command('load')
    .description(
      "drop a folder's files into the local stack's bucket and follow each to loaded or failed",
    )
    .argument('<dir>', 'the folder (its files, recursively; dotfiles skipped)')
    .argument('<target>', 'gs://BUCKET/ or gs://BUCKET/PREFIX/')
    .option('--no-wait', 'copy only; do not follow the loads')
    .option('--timeout <seconds>', 'how long to follow the loads (default 120)', wholeNumber)
    .option(...CONFIG)
    .option(...JSON_FLAG)
    .action(
      run(async (dir: string, target: string, opts) =>
        localLoad(dir, target, opts, await localStackOnly(env, 'STORAGE_EMULATOR_HOST')),
      ),
    );

  return program;
}
