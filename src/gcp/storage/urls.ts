/**
 * URLs of the Cloud Storage JSON API. Bucket and object names are percent-encoded as one
 * path segment each (`a/b.csv` → `a%2Fb.csv`).
 * https://cloud.google.com/storage/docs/json_api/v1/objects
 * https://cloud.google.com/storage/docs/request-endpoints#encoding
 */

/** `{base}/b/BUCKET/o/NAME`, with query parameters (undefined ones left out). */
export function objectUrl(
  base: string,
  bucket: string,
  name: string,
  query: Record<string, string | undefined> = {},
): string {
  return `${base}/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}${queryString(query)}`;
}

/**
 * `{upload base}/b/BUCKET/o` with query parameters: the upload API sits beside the JSON API,
 * `…/storage/v1` → `…/upload/storage/v1` (a trailing slash on the base is allowed).
 * https://cloud.google.com/storage/docs/uploading-objects#uploading-an-object
 */
export function uploadUrl(
  base: string,
  bucket: string,
  query: Record<string, string | undefined> = {},
): string {
  const upload = `${base.replace(/\/storage\/v1\/?$/, '')}/upload/storage/v1`;
  return `${upload}/b/${encodeURIComponent(bucket)}/o${queryString(query)}`;
}

/** `?a=1&b=2` of the defined values; empty when there are none. */
export function queryString(query: Record<string, string | undefined>): string {
  let out = '';
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    out += `${out ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
  }
  return out;
}
