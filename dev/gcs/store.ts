/**
 * The local GCS store: object `N` of bucket `B` is the plain file `<rootDir>/buckets/B/N`
 * (the local BigQuery server and the user read and write these files directly); what GCS
 * keeps beside the bytes lives in a sidecar `<rootDir>/.gcs-meta/B/N.json`.
 *
 * A file without a sidecar (dropped by hand) gets one synthesized on first sight; a file whose
 * size, mtime or inode no longer matches its sidecar was overwritten by hand and becomes a new
 * generation. There is no object versioning: only the live generation exists.
 * All file-system work is synchronous (files.ts says why).
 */
import {
  copyFileSync,
  existsSync,
  linkSync,
  readFileSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { guessContentType } from './content-type';
import { GcsError, invalid, notFound } from './errors';
import {
  placeFile,
  readSidecar,
  removeEmptyParents,
  sameFile,
  statOrUndefined,
  writeSidecar,
} from './files';
import { hashFile } from './hashes';
import { StoreLayout } from './layout';
import { type ListOptions, type ListPage, listPage } from './listing';
import { NameIndex } from './name-index';
import {
  type AttributePatch,
  attributesOf,
  definedAttributes,
  type ObjectAttributes,
  patched,
  type StoredObject,
} from './object';
import { checkConditions, type Preconditions } from './preconditions';

export class GcsStore extends StoreLayout {
  private lastGeneration = 0;
  /** Sorted object names per bucket, so that each listing page does not walk the folder. */
  private readonly names = new NameIndex();

  /**
   * The live generation of an object as the disk shows it now, recording a new generation when
   * the file is new or was overwritten by hand. Undefined when there is no such file.
   */
  lookup(bucket: string, name: string): StoredObject | undefined {
    const path = this.objectPath(bucket, name);
    const stats = statOrUndefined(path);
    const sidecarPath = this.sidecarPath(bucket, name);
    if (!stats?.isFile()) {
      if (existsSync(sidecarPath)) rmSync(sidecarPath, { force: true });
      return undefined;
    }
    const known = readSidecar(sidecarPath);
    if (known && sameFile(known.file, stats)) return known;
    const mtime = stats.mtime.toISOString();
    // A new generation of unknown origin: nothing of an earlier generation's metadata survives,
    // as with an overwrite in GCS.
    return this.record(bucket, name, stats, { contentType: guessContentType(name) }, mtime);
  }

  /** The live object, checked against a requested generation and preconditions (404 / 412). */
  get(
    bucket: string,
    name: string,
    generation?: string,
    conditions: Preconditions = {},
  ): StoredObject {
    const object = this.lookup(bucket, name);
    if (!object || (generation !== undefined && generation !== object.generation)) {
      throw notFound(`${bucket}/${name}${generation ? `#${generation}` : ''}`);
    }
    checkConditions(`${bucket}/${name}`, object, conditions);
    return object;
  }

  /** Writes a new generation from bytes in memory. */
  insert(
    bucket: string,
    name: string,
    data: Buffer,
    attributes: ObjectAttributes,
    conditions: Preconditions = {},
  ): StoredObject {
    const tmp = this.tempPath();
    writeFileSync(tmp, data);
    return this.insertFile(bucket, name, tmp, attributes, conditions);
  }

  /** Moves a finished temp file (see `tempPath`) into place as a new generation. */
  insertFile(
    bucket: string,
    name: string,
    tmpPath: string,
    attributes: ObjectAttributes,
    conditions: Preconditions = {},
  ): StoredObject {
    const path = this.objectPath(bucket, name);
    try {
      checkConditions(`${bucket}/${name}`, this.lookup(bucket, name), conditions);
      placeFile(tmpPath, path, `${bucket}/${name}`);
    } finally {
      this.names.invalidate(bucket);
      rmSync(tmpPath, { force: true });
    }
    const stats = statSync(path);
    return this.record(bucket, name, stats, attributes, new Date().toISOString());
  }

  patch(
    bucket: string,
    name: string,
    patch: AttributePatch,
    conditions: Preconditions = {},
  ): StoredObject {
    const object = this.get(bucket, name, undefined, conditions);
    const next = patched(object, patch);
    next.metageneration = String(Number(object.metageneration) + 1);
    next.updated = new Date().toISOString();
    writeSidecar(this.sidecarPath(bucket, name), next, this.tempPath());
    return next;
  }

  /**
   * Copies (rewrite) into a new generation of the destination; attributes from `overrides`
   * replace the source's. `sourceConditions` check the source, `conditions` the destination.
   */
  copy(
    source: { bucket: string; name: string; generation?: string },
    target: { bucket: string; name: string },
    overrides: ObjectAttributes,
    conditions: Preconditions = {},
    sourceConditions: Preconditions = {},
  ): StoredObject {
    const from = this.get(source.bucket, source.name, source.generation, sourceConditions);
    const tmp = this.tempPath();
    writeFileSync(tmp, readFileSync(this.objectPath(from.bucket, from.name)));
    return this.insertFile(
      target.bucket,
      target.name,
      tmp,
      { ...attributesOf(from), ...overrides },
      conditions,
    );
  }

  /** Renames within a bucket (objects.move): the destination is a new generation, the source is gone. */
  move(
    bucket: string,
    sourceName: string,
    targetName: string,
    conditions: Preconditions = {},
    sourceConditions: Preconditions = {},
  ): StoredObject {
    const from = this.get(bucket, sourceName, undefined, sourceConditions);
    checkConditions(`${bucket}/${targetName}`, this.lookup(bucket, targetName), conditions);
    const sourcePath = this.objectPath(bucket, sourceName);
    // The destination is written first from a second link to the bytes; the source goes only
    // once that has succeeded, so a move that fails (a file/folder clash) loses nothing.
    const tmp = this.tempPath();
    try {
      linkSync(sourcePath, tmp);
    } catch {
      copyFileSync(sourcePath, tmp);
    }
    const moved = this.insertFile(bucket, targetName, tmp, attributesOf(from));
    if (targetName !== sourceName) {
      rmSync(sourcePath, { force: true });
      this.names.invalidate(bucket);
      rmSync(this.sidecarPath(bucket, sourceName), { force: true });
      removeEmptyParents(sourcePath, join(this.bucketsDir, bucket));
    }
    return moved;
  }

  delete(bucket: string, name: string, generation?: string, conditions: Preconditions = {}): void {
    this.get(bucket, name, generation, conditions);
    const path = this.objectPath(bucket, name);
    rmSync(path, { force: true });
    this.names.invalidate(bucket);
    rmSync(this.sidecarPath(bucket, name), { force: true });
    removeEmptyParents(path, join(this.bucketsDir, bucket));
  }

  /**
   * One page of objects in name order; each listed object is synced with the disk. Only the
   * page's objects are looked up: the names come from the bucket's cached, sorted index.
   */
  list(
    bucket: string,
    options: ListOptions,
  ): { items: StoredObject[]; prefixes: string[]; nextPageToken?: string } {
    if (!this.bucketExists(bucket))
      throw new GcsError(404, 'notFound', `The specified bucket does not exist: ${bucket}`);
    const names = this.names.sortedNames(bucket, join(this.bucketsDir, bucket));
    let page: ListPage;
    try {
      page = listPage(names, options);
    } catch (err) {
      throw invalid((err as Error).message);
    }
    const items = page.names
      .map((n) => this.lookup(bucket, n))
      .filter((o): o is StoredObject => o !== undefined);
    return { items, prefixes: page.prefixes, nextPageToken: page.nextPageToken };
  }

  private record(
    bucket: string,
    name: string,
    stats: Stats,
    attributes: ObjectAttributes,
    created: string,
  ): StoredObject {
    const path = this.objectPath(bucket, name);
    const object: StoredObject = {
      bucket,
      name,
      generation: this.nextGeneration(),
      metageneration: '1',
      size: String(stats.size),
      ...hashFile(path),
      ...definedAttributes(attributes),
      timeCreated: created,
      updated: created,
      file: { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino },
    };
    writeSidecar(this.sidecarPath(bucket, name), object, this.tempPath());
    return object;
  }

  /** Microseconds since the epoch, like GCS, and strictly increasing within this process. */
  private nextGeneration(): string {
    this.lastGeneration = Math.max(Date.now() * 1000, this.lastGeneration + 1);
    return String(this.lastGeneration);
  }
}
