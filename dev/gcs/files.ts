/**
 * The file-system steps of the local GCS store, all synchronous so that one request's
 * read-check-write cannot interleave with another's inside this process.
 */
import {
  mkdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { invalid } from './errors';
import type { StoredObject } from './object';

export function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

export function isDirectory(path: string): boolean {
  return statOrUndefined(path)?.isDirectory() ?? false;
}

/** Whether the file is still the one a sidecar recorded (else it was overwritten by hand). */
export function sameFile(known: StoredObject['file'] | undefined, stats: Stats): boolean {
  return (
    !!known &&
    known.size === stats.size &&
    known.mtimeMs === stats.mtimeMs &&
    known.ino === stats.ino
  );
}

/** Renames a finished temp file to `path`; `what` names the object in the error. */
export function placeFile(tmpPath: string, path: string, what: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    renameSync(tmpPath, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EISDIR' || code === 'EEXIST') {
      // A file system cannot hold both `a` and `a/b`; GCS can.
      throw invalid(
        `cannot store ${what} locally: a file and a folder would share a path (${code})`,
      );
    }
    throw err;
  }
}

export function readSidecar(path: string): StoredObject | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StoredObject;
  } catch {
    return undefined; // missing or torn: treated like a hand-dropped file
  }
}

/** Written to `tmpPath` first and renamed, so a reader never sees a torn sidecar. */
export function writeSidecar(path: string, object: StoredObject, tmpPath: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(tmpPath, JSON.stringify(object, null, 2));
  renameSync(tmpPath, path);
}

/** Removes the folders above `path` that are now empty, up to (not including) `stopAt`. */
export function removeEmptyParents(path: string, stopAt: string): void {
  for (let dir = dirname(path); dir.startsWith(stopAt) && dir !== stopAt; dir = dirname(dir)) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty
    }
  }
}
