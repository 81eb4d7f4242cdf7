/**
 * The command line's exit codes and the checks of option values. Commander (src/cli/program.ts)
 * calls the parsers below while it reads the command line, so a bad value is a usage error
 * (exit 2) naming the option, before any command runs.
 */
import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../outcomes/status';

/** docs/cli.md: Exit codes. */
export const EXIT = {
  ok: 0,
  /** The command ran and failed (a broken rules file, an object refused, Google refused). */
  failure: 1,
  /** The command line is wrong: unknown command or option, bad value, missing argument. */
  usage: 2,
  /** `plan` only: the object would be refused or ignored, not loaded. */
  notLoaded: 3,
} as const;

export type Exit = { exitCode: number };

/**
 * A mistake on the command line found by a command itself (e.g. two arguments that exclude
 * each other): printed on stderr with a pointer to the command's --help, exit 2.
 */
export class UsageError extends Error {}

/** A generation: Cloud Storage's object version, a decimal number. */
export function digits(value: string): string {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected digits (a generation)');
  return value;
}

export function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('expected a whole number >= 0');
  }
  return n;
}

/** `90s`, `30m`, `1h`, `7d`, kept as written (the commands show it back). */
export function duration(value: string): string {
  if (parseDuration(value) === undefined) {
    throw new InvalidArgumentError('expected a duration like 90s, 30m, 1h or 7d');
  }
  return value;
}

/** `key=value`, repeatable: collected into a list. */
export function keyValue(value: string, previous: string[] = []): string[] {
  if (value.indexOf('=') <= 0) throw new InvalidArgumentError('expected key=value');
  return [...previous, value];
}

/** A repeatable option collected into a list. */
export function repeated(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `--topic`: a full topic name, or the short form `ingest`, which names a topic of the
 * resolved project (checked by the command once the project is known).
 */
export function topicName(short: string, project: string | undefined): string {
  if (short.startsWith('projects/')) return short;
  if (!/^[A-Za-z][\w.~+%-]{2,254}$/.test(short)) {
    throw new UsageError(
      `--topic ${short}: expected projects/PROJECT/topics/TOPIC or a topic id such as "ingest"`,
    );
  }
  if (!project) {
    throw new UsageError(
      `--topic ${short}: no project to put it in; give projects/PROJECT/topics/${short}, or set GOOGLE_CLOUD_PROJECT`,
    );
  }
  return `projects/${project}/topics/${short}`;
}
