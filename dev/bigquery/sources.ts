/**
 * Resolves `gs://B/N` source URIs to files of the local GCS store (`<bucketsDir>/B/N`),
 * read directly from disk. A wildcard skips dot-folders and dot-files (files dropped by hand,
 * editors' temporary files); a URI naming one exactly reads it, as BigQuery reads any object
 * (bq-autoloader's snapshots live under `.bq-autoloader/`). A URI may hold one `*`, after the bucket, matching any characters
 * (including `/`), like BigQuery's wildcard. Names are checked like the GCS server's, and a
 * file is an object only if its real path (symbolic links resolved) is inside its bucket.
 * https://cloud.google.com/bigquery/docs/batch-loading-data#load-wildcards
 */
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { badBucket, badObjectName } from '../gcs/names';
import { BigQueryApiError, invalid } from './errors';

export interface SourceFile {
  uri: string;
  path: string;
  bytes: number;
  gzip: boolean;
}

function isHidden(relativeName: string): boolean {
  return relativeName.split('/').some((segment) => segment.startsWith('.'));
}

async function listObjects(bucketDir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(bucketDir, { recursive: true });
  } catch {
    return [];
  }
  return entries
    .map((entry) => entry.split(sep).join('/'))
    .filter((name) => !isHidden(name))
    .sort();
}

/** gzip by the `.gz` suffix or by the gzip magic bytes 1f 8b (RFC 1952 §2.3.1). */
async function isGzip(path: string, uri: string): Promise<boolean> {
  if (uri.endsWith('.gz')) return true;
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

async function fileIfObject(path: string, bucketDir: string): Promise<number | undefined> {
  try {
    const real = await realpath(path);
    if (!real.startsWith(`${await realpath(bucketDir)}${sep}`)) return undefined;
    const info = await stat(real);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

async function resolveOne(bucketsDir: string, uri: string): Promise<SourceFile[]> {
  const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new BigQueryApiError(400, 'invalid', `Invalid source URI ${uri}`);
  const [, bucket = '', name = ''] = match;
  const bad = badBucket(bucket) ?? badObjectName(name);
  if (bad) throw invalid(`Invalid source URI ${uri}: ${bad}`);
  const bucketDir = join(bucketsDir, bucket);
  const star = name.indexOf('*');
  let names: string[];
  if (star < 0) {
    names = [name];
  } else {
    const prefix = name.slice(0, star);
    const suffix = name.slice(star + 1);
    names = (await listObjects(bucketDir)).filter(
      (n) => n.length >= name.length - 1 && n.startsWith(prefix) && n.endsWith(suffix),
    );
  }
  const files: SourceFile[] = [];
  for (const objectName of names) {
    const path = join(bucketDir, objectName);
    const bytes = await fileIfObject(path, bucketDir);
    if (bytes === undefined) continue;
    const objectUri = `gs://${bucket}/${objectName}`;
    files.push({ uri: objectUri, path, bytes, gzip: await isGzip(path, objectUri) });
  }
  if (files.length === 0) throw new BigQueryApiError(404, 'notFound', `Not found: URI ${uri}`);
  return files;
}

/** Every object the URIs name, in order, without duplicates; a URI matching nothing fails. */
export async function resolveSourceUris(bucketsDir: string, uris: string[]): Promise<SourceFile[]> {
  const byPath = new Map<string, SourceFile>();
  for (const uri of uris) {
    for (const file of await resolveOne(bucketsDir, uri)) byPath.set(file.path, file);
  }
  return [...byPath.values()];
}

/** An uploaded file already on disk (multipart or resumable upload). */
export async function uploadedFile(path: string): Promise<SourceFile> {
  const info = await stat(path);
  return { uri: 'upload', path, bytes: info.size, gzip: await isGzip(path, '') };
}
