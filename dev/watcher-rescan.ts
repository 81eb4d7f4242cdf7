/**
 * chokidar can miss the files of a directory tree created in one go (`mkdir -p a/b && cp …`:
 * a directory appears before its parent's watch is set up) and only report them with the
 * next unrelated event, tens of seconds later. So each directory that appears is read again
 * once its files had time to settle: every file found that has not changed for the stability
 * window is handed to the watcher's own handler, whose generation check drops the ones it
 * already fired for.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

export async function settledFiles(
  dir: string,
  stabilityMs: number,
  now = Date.now(),
): Promise<string[]> {
  let entries: { name: string; parentPath: string; isFile(): boolean }[];
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch {
    return []; // gone again: nothing to report
  }
  const settled: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs >= stabilityMs) settled.push(path);
  }
  return settled;
}

/** Reads `dir` again after twice the stability window, then hands each settled file on. */
export function rescanLater(
  dir: string,
  stabilityMs: number,
  onFile: (path: string) => void,
  signal: AbortSignal,
): void {
  const timer = setTimeout(async () => {
    if (signal.aborted) return;
    for (const path of await settledFiles(dir, stabilityMs)) if (!signal.aborted) onFile(path);
  }, stabilityMs * 2);
  timer.unref();
  signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
}
