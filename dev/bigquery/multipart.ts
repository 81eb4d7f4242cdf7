/**
 * A strict parser for the `multipart/related` body of a BigQuery multipart upload: exactly
 * two parts, the Job as JSON then the file's bytes, CRLF line ends, closing `--B--`.
 * https://cloud.google.com/bigquery/docs/reference/api-uploads#multipart
 * https://www.rfc-editor.org/rfc/rfc2046#section-5.1.1
 * Strict on purpose: the loader's own multipart builder is tested against this server, so a
 * lenient parser would hide its bugs. Every refusal says what was wrong.
 */
import { invalid } from './errors';

export interface MultipartUpload {
  /** The parsed JSON of the first part (the Job). */
  metadata: unknown;
  /** The bytes of the second part. */
  media: Buffer;
  mediaContentType: string | undefined;
}

interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

export function boundaryOf(contentType: string | undefined): string {
  if (!contentType) throw invalid('Multipart upload: missing Content-Type header');
  const [type, ...params] = contentType.split(';').map((s) => s.trim());
  if (type?.toLowerCase() !== 'multipart/related') {
    throw invalid(`Multipart upload: Content-Type must be multipart/related, got "${type}"`);
  }
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    if (param.slice(0, eq).trim().toLowerCase() !== 'boundary') continue;
    const value = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    // RFC 2046: 1 to 70 characters.
    if (value.length < 1 || value.length > 70) {
      throw invalid('Multipart upload: boundary must be 1 to 70 characters');
    }
    return value;
  }
  throw invalid('Multipart upload: Content-Type has no boundary parameter');
}

function parseHeaders(block: string, index: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (block === '') return headers;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw invalid(`Multipart upload: part ${index} has a malformed header line`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function splitParts(body: Buffer, boundary: string): Part[] {
  const opening = Buffer.from(`--${boundary}\r\n`);
  if (!body.subarray(0, opening.length).equals(opening)) {
    throw invalid(`Multipart upload: body must start with "--${boundary}" and CRLF`);
  }
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const parts: Part[] = [];
  let start = opening.length;
  for (;;) {
    const end = body.indexOf(delimiter, start);
    if (end < 0) throw invalid(`Multipart upload: no closing "--${boundary}--" delimiter`);
    const raw = body.subarray(start, end);
    const headerEnd = raw.indexOf('\r\n\r\n');
    if (headerEnd < 0) {
      throw invalid(`Multipart upload: part ${parts.length + 1} has no blank line after headers`);
    }
    parts.push({
      headers: parseHeaders(raw.subarray(0, headerEnd).toString('latin1'), parts.length + 1),
      body: raw.subarray(headerEnd + 4),
    });
    const after = end + delimiter.length;
    const next = body.subarray(after, after + 2).toString('latin1');
    if (next === '--') {
      const rest = body.subarray(after + 2).toString('latin1');
      if (rest !== '' && rest !== '\r\n') {
        throw invalid('Multipart upload: unexpected bytes after the closing delimiter');
      }
      return parts;
    }
    if (next !== '\r\n') {
      throw invalid(`Multipart upload: a delimiter must be followed by CRLF or "--"`);
    }
    start = after + 2;
  }
}

export function parseMultipartRelated(
  contentType: string | undefined,
  body: Buffer,
): MultipartUpload {
  const parts = splitParts(body, boundaryOf(contentType));
  if (parts.length !== 2) {
    throw invalid(`Multipart upload: expected 2 parts (metadata, media), got ${parts.length}`);
  }
  const [meta, media] = parts as [Part, Part];
  const metaType = meta.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (metaType !== 'application/json') {
    throw invalid(`Multipart upload: part 1 must be application/json, got "${metaType}"`);
  }
  let metadata: unknown;
  try {
    metadata = JSON.parse(meta.body.toString('utf8'));
  } catch (cause) {
    throw invalid(`Multipart upload: part 1 is not valid JSON (${(cause as Error).message})`);
  }
  return { metadata, media: media.body, mediaContentType: media.headers['content-type'] };
}
