/**
 * Which bucket and object names the local stack maps to files. Both the GCS server and the
 * BigQuery server's `gs://` sources use these checks, so that no name (`..`, an absolute
 * path, an empty segment, NUL) points outside `<buckets>/BUCKET/`.
 */

export const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;

/** Why `bucket` is no bucket name, or undefined. */
export function badBucket(bucket: string): string | undefined {
  return BUCKET_NAME.test(bucket) ? undefined : `invalid bucket name ${JSON.stringify(bucket)}`;
}

/** Why `name` cannot be held by a file system without escaping the bucket folder, or undefined. */
export function badObjectName(name: string): string | undefined {
  if (name.length === 0 || name.length > 1024 || name.includes('\0')) {
    return `invalid object name ${JSON.stringify(name)}`;
  }
  if (name.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    return `object name ${JSON.stringify(name)} is not supported locally (empty, "." or ".." path segments, or a trailing "/")`;
  }
  return undefined;
}
