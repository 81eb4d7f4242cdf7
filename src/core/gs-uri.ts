/** `gs://bucket/name` → { bucket, name }. https://cloud.google.com/storage/docs/request-endpoints */

/** Undefined when `uri` does not name one object (`gs://BUCKET/NAME`, NAME not empty). */
export function parseGsUri(uri: string): { bucket: string; name: string } | undefined {
  const match = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  return match?.[1] && match[2] ? { bucket: match[1], name: match[2] } : undefined;
}
