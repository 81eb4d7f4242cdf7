/** Runs the built CLI (`dist/cli.js`) as a user would: its exit code, stdout and stderr. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const REPO = resolve(__dirname, '../..');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `env` is the whole environment besides PATH and HOME, so nothing of the test runner's
 * leaks in; AUTOLOADER_LOCAL_DIR defaults to an empty folder (no local stack).
 */
export async function runCli(
  args: string[],
  env: Record<string, string> = {},
  cwd = REPO,
): Promise<CliRun> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(REPO, 'dist/cli.js'), ...args],
      {
        cwd,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: mkdtempSync(join(tmpdir(), 'bqal-cli-home-')),
          AUTOLOADER_LOCAL_DIR: mkdtempSync(join(tmpdir(), 'bqal-cli-nostack-')),
          ...env,
        },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
