/**
 * Rules reload on the local stack: an edit of the rules file is checked like a cold start
 * (dev/rules-check.ts); good rules restart the function (its only time to read them) and say
 * `rules reloaded: N routes`; a bad edit prints its problems and the function keeps the last
 * good rules. Edits are handled one at a time, the last one winning.
 */
import { watch } from 'chokidar';
import { checkRulesFile } from './rules-check';

export interface RulesReload {
  close(): Promise<void>;
}

/** Resolves once the file is watched: an edit from then on is seen. */
export async function reloadRulesOnChange(
  location: string,
  restart: () => Promise<void>,
  write: (text: string) => void = (t) => process.stderr.write(t),
): Promise<RulesReload> {
  // Editors save by writing in place or by renaming a new file over it: wait for the write
  // to settle, and follow the path rather than the first file's inode.
  const watcher = watch(location, {
    ignoreInitial: true,
    awaitWriteFinish: { stabilityThreshold: 150, pollInterval: 50 },
  });
  let running: Promise<void> = Promise.resolve();
  let pending = false;
  const reload = async () => {
    pending = false;
    const check = await checkRulesFile(location);
    if (!check.ok) {
      const lines = check.problems.map((p) => `  ${p}\n`).join('');
      write(
        `rules not reloaded: ${location} has problems; still serving the last good rules\n${lines}`,
      );
      return;
    }
    for (const warning of check.warnings) write(`${warning}\n`);
    await restart();
    write(`rules reloaded: ${check.routes} routes from ${location}\n`);
  };
  const schedule = () => {
    if (pending) return;
    pending = true;
    running = running.then(reload).catch((error: unknown) => {
      write(`rules reload failed: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  };
  watcher.on('change', schedule);
  watcher.on('add', schedule);
  await new Promise<void>((ready) => watcher.once('ready', () => ready()));
  return {
    async close() {
      await watcher.close();
      await running;
    },
  };
}
