#!/usr/bin/env node
/**
 * `bq-autoloader` — the operator's command line. Each subcommand lives in src/cli/; this file
 * only dispatches and is the one place that sets the exit code.
 */
import { compile } from './cli/compile';
import { localQuery } from './cli/local-query';
import { plan } from './cli/plan';
import { publishRequest } from './cli/publish';
import { retry } from './cli/retry';
import { status } from './cli/status';
import { sweep } from './cli/sweep';
import { validate } from './cli/validate';
import { setLogSink } from './log';

const USAGE = `Usage: bq-autoloader <command> [options]

Commands:
  validate [--config F]                 check the rules file; exit 1 with path-precise errors
  compile [FILE | --config F] [--out F]  the checked rules as self-contained JSON (schema
                                        files inlined, defaults written out) for deploy
  plan gs://BUCKET/NAME [--config F]    print the exact Job JSON jobs.insert would receive
       [--generation G] [--size N] [--content-type T] [--metadata k=v]... [--created ISO]
       [--project P]                    (without --generation the object is read from GCS)
  sweep [--route R]... [--dry-run]      list batch routes and missed objects, submit their loads
        [--min-age S] [--config F]      (JSON summary on stdout; progress on a terminal)
  publish-request --topic projects/P/topics/T [--route R] gs://B/O...   send a load request
        (or --prefix gs://B/P/; or --inline FILE --route R [--format F] [--gzip] [--attribute k=v]...)
  retry gs://BUCKET/NAME... [--config F]  submit the next attempt of each object whose last
        [--prefix gs://B/P/] [--project P] load job failed (nothing else); JSON on stdout
  status gs://BUCKET/NAME [--generation G]  an object's state, job, rows and error (markers)
  status --route R [--since 1h] [--config F]  the route's objects by state, rows, failures
  local query "SQL"                     run SQL on the local stack started by npm start
                                        (tables named dataset.table)

The rules file defaults to $AUTOLOADER_CONFIG, then ./autoloader.yaml.`;

export type CommandResult = { exitCode: number };

async function main(argv: string[]): Promise<number> {
  // Log lines go to stderr so stdout stays machine-readable (JSON).
  setLogSink((line) => process.stderr.write(`${line}\n`));
  const [command, ...rest] = argv;
  switch (command) {
    case 'validate':
      return (await validate(rest)).exitCode;
    case 'compile':
      return (await compile(rest)).exitCode;
    case 'plan':
      return (await plan(rest)).exitCode;
    case 'sweep':
      return (await sweep(rest)).exitCode;
    case 'status':
      return (await status(rest)).exitCode;
    case 'retry':
      return (await retry(rest)).exitCode;
    case 'publish-request':
      return (await publishRequest(rest)).exitCode;
    case 'local':
      if (rest[0] === 'query') return (await localQuery(rest.slice(1))).exitCode;
      break;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
  }
  process.stderr.write(`unknown command: ${argv.join(' ')}\n\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
