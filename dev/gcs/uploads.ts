/**
 * Upload protocols of the JSON API besides the simple `uploadType=media`:
 * - multipart: https://cloud.google.com/storage/docs/uploading-objects#uploading-an-object
 *   (`multipart/related`, part 1 = object resource JSON, part 2 = the bytes)
 * - resumable: https://cloud.google.com/storage/docs/performing-resumable-uploads
 *   (POST → session URI in `Location`; PUT chunks with `Content-Range: bytes a-b/total`;
 *   308 + `Range: bytes=0-N` while incomplete; an empty PUT with range `bytes *` over the total
 *   asks where the upload stands)
 */

import { randomUUID } from 'node:crypto';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { invalid } from './errors';
import type { ObjectAttributes } from './object';
import type { Preconditions } from './preconditions';

/** Splits a `multipart/related` body into its JSON metadata part and its data part. */
export function parseMultipart(
  body: Buffer,
  contentType: string,
): { metadata: Record<string, unknown>; data: Buffer; dataType?: string } {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw invalid('multipart upload without a boundary in Content-Type');
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const from = start + delimiter.length;
    if (body.subarray(from, from + 2).toString() === '--') break; // closing delimiter
    const next = body.indexOf(delimiter, from);
    if (next < 0) break;
    parts.push(body.subarray(from, next));
    start = next;
  }
  if (parts.length !== 2)
    throw invalid(`multipart upload must have 2 parts, found ${parts.length}`);
  const [meta, data] = parts.map(splitPart) as [Part, Part];
  let metadata: Record<string, unknown>;
  try {
    metadata = JSON.parse(meta.body.toString('utf8')) as Record<string, unknown>;
  } catch (err) {
    throw invalid(`multipart upload: the first part is not JSON (${(err as Error).message})`);
  }
  return { metadata, data: data.body, dataType: data.headers['content-type'] };
}

interface Part {
  headers: Record<string, string>;
  body: Buffer;
}

/** A part is `\r\nHeaders\r\n\r\nBody\r\n` between delimiters. */
function splitPart(raw: Buffer): Part {
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd < 0) throw invalid('multipart upload: a part has no header/body separator');
  const headers: Record<string, string> = {};
  for (const line of raw.subarray(0, headerEnd).toString('utf8').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(headerEnd + 4);
  if (body.subarray(body.length - 2).toString() === '\r\n')
    body = body.subarray(0, body.length - 2);
  return { headers, body };
}

export interface ResumableSession {
  id: string;
  bucket: string;
  name: string;
  attributes: ObjectAttributes;
  conditions: Preconditions;
  tmpPath: string;
  received: number;
}

export type ChunkResult =
  | { complete: true; session: ResumableSession }
  | { complete: false; received: number };

/** Open resumable uploads of one server, in memory: a restart loses them (clients then restart, 404). */
export class ResumableSessions {
  private readonly sessions = new Map<string, ResumableSession>();

  open(init: Omit<ResumableSession, 'id' | 'received'>): ResumableSession {
    const session: ResumableSession = { ...init, id: randomUUID(), received: 0 };
    writeFileSync(session.tmpPath, Buffer.alloc(0));
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string): ResumableSession | undefined {
    return this.sessions.get(id);
  }

  cancel(id: string): void {
    const session = this.sessions.get(id);
    if (session) rmSync(session.tmpPath, { force: true });
    this.sessions.delete(id);
  }

  /** Finished sessions leave the table; their temp file now belongs to the caller. */
  finish(id: string): void {
    this.sessions.delete(id);
  }

  /** Applies one PUT; `contentRange` absent = the body is the whole object. */
  put(session: ResumableSession, contentRange: string | undefined, body: Buffer): ChunkResult {
    if (!contentRange) {
      writeFileSync(session.tmpPath, body);
      session.received = body.length;
      return { complete: true, session };
    }
    const status = /^bytes \*\/(\d+|\*)$/.exec(contentRange);
    if (status) {
      const total = status[1] === '*' ? undefined : Number(status[1]);
      if (total !== undefined && total === session.received) return { complete: true, session };
      return { complete: false, received: session.received };
    }
    const range = /^bytes (\d+)-(\d+|\*)\/(\d+|\*)$/.exec(contentRange);
    if (!range) throw invalid(`unsupported Content-Range ${JSON.stringify(contentRange)}`);
    const first = Number(range[1]);
    const total = range[3] === '*' ? undefined : Number(range[3]);
    if (first > session.received) {
      throw invalid(
        `Content-Range starts at ${first} but only ${session.received} bytes were received`,
      );
    }
    // Bytes the server already has (a client resending after a lost answer) are skipped.
    const fresh = body.subarray(session.received - first);
    appendFileSync(session.tmpPath, fresh);
    session.received += fresh.length;
    const open = range[2] === '*'; // "bytes a-*/T": this request carries the rest
    if ((total !== undefined && session.received >= total) || (open && total === undefined)) {
      return { complete: true, session };
    }
    return { complete: false, received: session.received };
  }
}
