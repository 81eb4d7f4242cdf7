/**
 * Runs the installed terraform binary offline (no provider downloads, no checkpoint calls).
 * Only commands that need no provider work here: fmt, and init/apply of provider-free modules.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function terraform(args: string[], cwd: string): Promise<TerraformResult> {
  const env = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0' };
  try {
    const { stdout, stderr } = await run('terraform', args, { cwd, env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error: unknown) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') {
      throw new Error(`terraform ${args.join(' ')} could not run in ${cwd}`, { cause: error });
    }
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
