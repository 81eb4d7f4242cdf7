/**
 * The body of a multipart upload to `jobs.insert` (`uploadType=multipart`): a
 * `multipart/related` entity of two parts, the Job as JSON then the file's bytes.
 * https://cloud.google.com/bigquery/docs/reference/api-uploads#multipart
 * https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1 (CRLF line ends, `--B--` closes)
 * Built by hand so the bytes on the wire are exactly these (tested byte for byte).
 */
import { randomBytes } from 'node:crypto';

export interface MultipartBody {
  /** `multipart/related; boundary=B`. */
  contentType: string;
  body: Buffer;
}

/**
 * `boundary` defaults to a random one. A boundary must not occur in the content (RFC 2046);
 * a random 32-hex-digit one practically never does, and it is checked anyway.
 */
export function buildMultipartBody(job: unknown, media: Buffer, boundary?: string): MultipartBody {
  const metadata = Buffer.from(JSON.stringify(job), 'utf8');
  let b = boundary ?? newBoundary();
  while (boundary === undefined && (media.includes(b) || metadata.includes(b))) b = newBoundary();
  const body = Buffer.concat([
    Buffer.from(`--${b}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n`, 'utf8'),
    metadata,
    Buffer.from(`\r\n--${b}\r\nContent-Type: application/octet-stream\r\n\r\n`, 'utf8'),
    media,
    Buffer.from(`\r\n--${b}--\r\n`, 'utf8'),
  ]);
  return { contentType: `multipart/related; boundary=${b}`, body };
}

function newBoundary(): string {
  return `bqal_${randomBytes(16).toString('hex')}`;
}
