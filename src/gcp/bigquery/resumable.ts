/**
 * Pure helpers of the resumable upload protocol used by upload.ts: the session is opened with
 * the Job JSON, the bytes are PUT in chunks with `Content-Range: bytes a-b/total` (every chunk
 * but the last a multiple of 256 KiB); 308 + `Range: bytes=0-N` means "send from N+1";
 * an empty PUT with `Content-Range: bytes *\/total` asks where the upload stands.
 * https://cloud.google.com/bigquery/docs/reference/api-uploads#resumable
 * https://cloud.google.com/storage/docs/performing-resumable-uploads#status-check
 */

/** Non-final chunks must be multiples of this. */
export const CHUNK_GRANULARITY = 256 * 1024;

/** `Content-Range` of the chunk [first, first + length) of a `total`-byte upload. */
export function chunkRange(first: number, length: number, total: number): string {
  return `bytes ${first}-${first + length - 1}/${total}`;
}

/** `Content-Range` of a status query. */
export function statusRange(total: number): string {
  return `bytes */${total}`;
}

/**
 * The next byte to send after a 308: one past the end of `Range: bytes=0-N`, or 0 when the
 * server persisted nothing (no `Range` header). Undefined for a header we cannot read.
 */
export function nextOffset(range: string | undefined | null): number | undefined {
  if (range === undefined || range === null || range === '') return 0;
  const match = /^bytes=0-(\d+)$/.exec(range.trim());
  return match ? Number(match[1]) + 1 : undefined;
}

/** The chunks of a `total`-byte upload starting at `offset`, `chunkBytes` each. */
export function chunkAt(offset: number, total: number, chunkBytes: number): [number, number] {
  if (chunkBytes % CHUNK_GRANULARITY !== 0 || chunkBytes <= 0) {
    throw new RangeError(`chunkBytes must be a positive multiple of ${CHUNK_GRANULARITY}`);
  }
  return [offset, Math.min(chunkBytes, total - offset)];
}
