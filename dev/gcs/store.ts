/**
 * The local GCS store: object `N` of bucket `B` is the plain file `<rootDir>/buckets/B/N`
 * (the local BigQuery server and the user read and write these files directly); what GCS
 * keeps beside the bytes lives in a sidecar `<rootDir>/.gcs-meta/B/N.json`.
 *
 * A file without a sidecar (dropped by hand) gets one synthesized on first sight; a file whose
 * size, mtime or inode no longer matches its sidecar was overwritten by hand and becomes a new
 * generation. There is no object versioning: only the live generation exists.
 * All file-system work is synchronous so that one request's read-check-write cannot interleave
 * with another's inside this process.
 */
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { guessContentType } from './content-type';
import { conditionNotMet, GcsError, invalid, notFound } from './errors';
import { hashFile } from './hashes';
import { type ListOptions, type ListPage, listPage } from './listing';
import { NameIndex } from './name-index';
import { BUCKET_NAME, badBucket, badObjectName } from './names';

/** Attributes a writer may set; `metadata` is the custom string map. */
export interface ObjectAttributes {
  contentType?: string;
  contentEncoding?: string;
  cacheControl?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  metadata?: Record<string, string>;
}

/** A patch: a key set to null is removed (for `metadata`, per key or all of it). */
export type AttributePatch = {
  [K in Exclude<keyof ObjectAttributes, 'metadata'>]?: string | null;
} & { metadata?: Record<string, string | null> | null };

/** What the sidecar holds: one live generation of one object. int64s are decimal strings. */
export interface StoredObject extends ObjectAttributes {
  bucket: string;
  name: string;
  generation: string;
  metageneration: string;
  size: string;
  md5Hash: string;
  crc32c: string;
  timeCreated: string;
  updated: string;
  /** The file's identity when this generation was recorded, to notice overwrites by hand. */
  file: { size: number; mtimeMs: number; ino: number };
}

/** Preconditions of the JSON API (int64 decimal strings; `ifGenerationMatch: "0"` = must not exist). */
export interface Preconditions {
  ifGenerationMatch?: string;
  ifGenerationNotMatch?: string;
  ifMetagenerationMatch?: string;
  ifMetagenerationNotMatch?: string;
}

/** The object attributes a client may set (insert, patch, copy overrides). */
export const ATTRIBUTE_KEYS = [
  'contentType',
  'contentEncoding',
  'cacheControl',
  'contentDisposition',
  'contentLanguage',
] as const;

export class GcsStore {
  readonly bucketsDir: string;
  readonly metaDir: string;
  private readonly uploadsDir: string;
  private lastGeneration = 0;
  /** Sorted object names per bucket, so that each listing page does not walk the folder. */
  private readonly names = new NameIndex();

  constructor(readonly rootDir: string) {
    this.bucketsDir = join(rootDir, 'buckets');
    this.metaDir = join(rootDir, '.gcs-meta');
    this.uploadsDir = join(this.metaDir, '.uploads');
    mkdirSync(this.bucketsDir, { recursive: true });
    mkdirSync(this.uploadsDir, { recursive: true });
  }

  objectPath(bucket: string, name: string): string {
    checkBucket(bucket);
    checkName(name);
    return join(this.bucketsDir, bucket, ...name.split('/'));
  }

  /** The bucket and object name of a file under `<rootDir>/buckets/`, if it is one. */
  locate(path: string): { bucket: string; name: string } | undefined {
    const rel = relative(this.bucketsDir, path);
    if (rel.startsWith('..') || rel === '') return undefined;
    const [bucket, ...rest] = rel.split(sep);
    if (!bucket || rest.length === 0) return undefined;
    return { bucket, name: rest.join('/') };
  }

  bucketExists(bucket: string): boolean {
    checkBucket(bucket);
    return isDirectory(join(this.bucketsDir, bucket));
  }

  createBucket(bucket: string): void {
    checkBucket(bucket);
    mkdirSync(join(this.bucketsDir, bucket), { recursive: true });
  }

  listBuckets(): string[] {
    return readdirSync(this.bucketsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && BUCKET_NAME.test(d.name))
      .map((d) => d.name)
      .sort();
  }

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
    const known = this.readSidecar(sidecarPath);
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
      this.place(tmpPath, path, `${bucket}/${name}`);
    } finally {
      this.names.invalidate(bucket);
      rmSync(tmpPath, { force: true });
    }
    const stats = statSync(path);
    return this.record(bucket, name, stats, attributes, new Date().toISOString());
  }

  /** A fresh path for an upload in progress, on the same file system so the final rename is atomic. */
  tempPath(): string {
    return join(
      this.uploadsDir,
      `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tmp`,
    );
  }

  patch(
    bucket: string,
    name: string,
    patch: AttributePatch,
    conditions: Preconditions = {},
  ): StoredObject {
    const object = this.get(bucket, name, undefined, conditions);
    const next: StoredObject = { ...object };
    for (const key of ATTRIBUTE_KEYS) {
      const value = patch[key];
      if (value === null) delete next[key];
      else if (value !== undefined) next[key] = value;
    }
    if (patch.metadata === null) delete next.metadata;
    else if (patch.metadata) {
      const metadata: Record<string, string> = { ...object.metadata };
      for (const [key, value] of Object.entries(patch.metadata)) {
        if (value === null) delete metadata[key];
        else metadata[key] = String(value);
      }
      if (Object.keys(metadata).length > 0) next.metadata = metadata;
      else delete next.metadata;
    }
    next.metageneration = String(Number(object.metageneration) + 1);
    next.updated = new Date().toISOString();
    this.writeSidecar(this.sidecarPath(bucket, name), next);
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
      this.removeEmptyParents(sourcePath, join(this.bucketsDir, bucket));
    }
    return moved;
  }

  delete(bucket: string, name: string, generation?: string, conditions: Preconditions = {}): void {
    this.get(bucket, name, generation, conditions);
    const path = this.objectPath(bucket, name);
    rmSync(path, { force: true });
    this.names.invalidate(bucket);
    rmSync(this.sidecarPath(bucket, name), { force: true });
    this.removeEmptyParents(path, join(this.bucketsDir, bucket));
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
    this.writeSidecar(this.sidecarPath(bucket, name), object);
    return object;
  }

  /** Microseconds since the epoch, like GCS, and strictly increasing within this process. */
  private nextGeneration(): string {
    this.lastGeneration = Math.max(Date.now() * 1000, this.lastGeneration + 1);
    return String(this.lastGeneration);
  }

  private place(tmpPath: string, path: string, what: string): void {
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

  private sidecarPath(bucket: string, name: string): string {
    return `${join(this.metaDir, bucket, ...name.split('/'))}.json`;
  }

  private readSidecar(path: string): StoredObject | undefined {
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as StoredObject;
    } catch {
      return undefined; // missing or torn: treated like a hand-dropped file
    }
  }

  private writeSidecar(path: string, object: StoredObject): void {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = this.tempPath();
    writeFileSync(tmp, JSON.stringify(object, null, 2));
    renameSync(tmp, path);
  }

  private removeEmptyParents(path: string, stopAt: string): void {
    for (let dir = dirname(path); dir.startsWith(stopAt) && dir !== stopAt; dir = dirname(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        return; // not empty
      }
    }
  }
}

export function checkConditions(
  what: string,
  object: StoredObject | undefined,
  c: Preconditions,
): void {
  const generation = object?.generation ?? '0';
  const fail = (text: string) => {
    throw conditionNotMet(`${what}: ${text}`);
  };
  if (c.ifGenerationMatch !== undefined && c.ifGenerationMatch !== generation) {
    fail(`ifGenerationMatch=${c.ifGenerationMatch}, generation is ${generation}`);
  }
  if (c.ifGenerationNotMatch !== undefined && c.ifGenerationNotMatch === generation) {
    fail(`ifGenerationNotMatch=${c.ifGenerationNotMatch}`);
  }
  if (c.ifMetagenerationMatch !== undefined || c.ifMetagenerationNotMatch !== undefined) {
    if (!object) throw notFound(what);
    if (
      c.ifMetagenerationMatch !== undefined &&
      c.ifMetagenerationMatch !== object.metageneration
    ) {
      fail(
        `ifMetagenerationMatch=${c.ifMetagenerationMatch}, metageneration is ${object.metageneration}`,
      );
    }
    if (
      c.ifMetagenerationNotMatch !== undefined &&
      c.ifMetagenerationNotMatch === object.metageneration
    ) {
      fail(`ifMetagenerationNotMatch=${c.ifMetagenerationNotMatch}`);
    }
  }
}

function attributesOf(object: StoredObject): ObjectAttributes {
  const out: ObjectAttributes = {};
  for (const key of ATTRIBUTE_KEYS) if (object[key] !== undefined) out[key] = object[key];
  if (object.metadata) out.metadata = { ...object.metadata };
  return out;
}

function definedAttributes(attributes: ObjectAttributes): ObjectAttributes {
  const out = attributesOf({ ...attributes } as StoredObject);
  if (out.metadata && Object.keys(out.metadata).length === 0) delete out.metadata;
  return out;
}

function sameFile(known: StoredObject['file'] | undefined, stats: Stats): boolean {
  return (
    !!known &&
    known.size === stats.size &&
    known.mtimeMs === stats.mtimeMs &&
    known.ino === stats.ino
  );
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function isDirectory(path: string): boolean {
  return statOrUndefined(path)?.isDirectory() ?? false;
}

function checkBucket(bucket: string): void {
  const bad = badBucket(bucket);
  if (bad) throw invalid(bad);
}

function checkName(name: string): void {
  const bad = badObjectName(name);
  if (bad) throw invalid(bad);
}
