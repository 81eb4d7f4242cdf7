/**
 * Where the local GCS store keeps things under its root folder: object `N` of bucket `B` is
 * `buckets/B/N`, its sidecar `.gcs-meta/B/N.json`, uploads in progress `.gcs-meta/.uploads/`.
 * Every bucket and object name is checked before it becomes a path (names.ts).
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { invalid } from './errors';
import { isDirectory } from './files';
import { BUCKET_NAME, badBucket, badObjectName } from './names';

export class StoreLayout {
  readonly bucketsDir: string;
  readonly metaDir: string;
  private readonly uploadsDir: string;

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

  /** A fresh path for an upload in progress, on the same file system so the final rename is atomic. */
  tempPath(): string {
    return join(
      this.uploadsDir,
      `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tmp`,
    );
  }

  protected sidecarPath(bucket: string, name: string): string {
    return `${join(this.metaDir, bucket, ...name.split('/'))}.json`;
  }
}

function checkBucket(bucket: string): void {
  const bad = badBucket(bucket);
  if (bad) throw invalid(bad);
}

function checkName(name: string): void {
  const bad = badObjectName(name);
  if (bad) throw invalid(bad);
}
