/**
 * The sorted object names of each bucket folder, kept between listing calls so that paging
 * through a large bucket does not walk and sort the whole folder for every page.
 *
 * Files are also added and removed by hand, so a cached list is checked before each use by
 * re-statting the folders it was read from: adding, removing or renaming an entry changes its
 * folder's mtime (a new or removed subfolder changes its parent's), and a folder replaced by
 * another has a new inode. The store drops a bucket's entry itself after its own writes.
 *
 * Like git's "racy" index entries, a folder modified within RACY_MS of being read is not
 * trusted: a change in the same file-system clock tick would leave its mtime unchanged.
 */
import { readdirSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';

/** Covers coarse mtime clocks (jiffies on Linux, whole seconds on some file systems). */
const RACY_MS = 2000;

interface Folder {
  path: string;
  mtimeMs: number;
  ino: number;
}

interface Snapshot {
  names: string[];
  folders: Folder[];
  /** False when some folder changed too recently to tell a later change from this state. */
  trusted: boolean;
}

export class NameIndex {
  private readonly snapshots = new Map<string, Snapshot>();

  /** The object names under `dir` in ascending order (treat as read-only). */
  sortedNames(key: string, dir: string): readonly string[] {
    const cached = this.snapshots.get(key);
    if (cached?.trusted && cached.folders.every(unchanged)) return cached.names;
    const snapshot = readSnapshot(dir);
    this.snapshots.set(key, snapshot);
    return snapshot.names;
  }

  /** Forgets a folder's names, after a write that added or removed some. */
  invalidate(key: string): void {
    this.snapshots.delete(key);
  }
}

function readSnapshot(root: string): Snapshot {
  const startedMs = Date.now();
  const names: string[] = [];
  const folders: Folder[] = [];
  const visit = (dir: string, prefix: string, stats: Stats) => {
    // Stat before reading: a change in between then shows up as a changed mtime next time.
    folders.push({ path: dir, mtimeMs: stats.mtimeMs, ino: stats.ino });
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const name = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        const path = join(dir, entry.name);
        try {
          visit(path, `${name}/`, statSync(path));
        } catch (err) {
          // Removed while being read: its parent's mtime changed, so the next call re-reads.
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      } else if (entry.isFile()) names.push(name);
    }
  };
  visit(root, '', statSync(root));
  names.sort();
  const trusted = folders.every((f) => f.mtimeMs < startedMs - RACY_MS);
  return { names, folders, trusted };
}

function unchanged(folder: Folder): boolean {
  try {
    const stats = statSync(folder.path);
    return stats.mtimeMs === folder.mtimeMs && stats.ino === folder.ino;
  } catch {
    return false;
  }
}
