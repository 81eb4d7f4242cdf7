/**
 * The one folder DuckDB may read (warehouse.ts turns external access off but for it). A load
 * gets its own subfolder holding a copy of each file it names, under a plain numbered name:
 * DuckDB's readers expand `*`, `?`, `[…]` and `**` in any path they are given (a list of
 * paths too), so an object named `glob?.csv` would otherwise load its neighbours as well. No
 * name from a URI ever reaches SQL, and a load can read nothing but its own files.
 */
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SourceFile } from './sources';

export interface StagedLoad {
  files: SourceFile[];
  /** Where the load may write scratch files (cleaned NDJSON); removed by `release`. */
  dir: string;
  release(): Promise<void>;
}

export class Staging {
  private constructor(readonly dir: string) {}

  static async create(parentDir: string): Promise<Staging> {
    const dir = join(parentDir, 'load');
    await mkdir(dir, { recursive: true });
    return new Staging(dir);
  }

  /**
   * Copies each file into a fresh subfolder (a reflink where the file system has them). Not
   * hard links: a second link changes the user's file under the watcher (its link count and
   * ctime), which then missed the next overwrite of that file.
   */
  async stage(files: SourceFile[]): Promise<StagedLoad> {
    const dir = join(this.dir, randomUUID());
    await mkdir(dir);
    const release = () => rm(dir, { recursive: true, force: true });
    try {
      const staged: SourceFile[] = [];
      for (const [index, file] of files.entries()) {
        const path = join(dir, String(index));
        await copyFile(file.path, path, constants.COPYFILE_FICLONE);
        staged.push({ ...file, path });
      }
      return { files: staged, dir, release };
    } catch (error) {
      await release();
      throw error;
    }
  }
}
