/**
 * Resumable upload sessions: POST the Job → a session URI; PUT the bytes in chunks with
 * `Content-Range: bytes a-b/total` (308 + `Range: bytes=0-N` until complete); an empty PUT
 * with `Content-Range: bytes *\/total` asks where the upload stands.
 * https://cloud.google.com/bigquery/docs/reference/api-uploads#resumable
 * https://cloud.google.com/storage/docs/performing-resumable-uploads (same protocol)
 */
import { randomUUID } from 'node:crypto';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BigQueryApiError, invalid } from './errors';
import type { Job } from './jobs';
import type { JobSpec } from './load-spec';

/** Non-final chunks must be multiples of 256 KiB. */
export const CHUNK_GRANULARITY = 256 * 1024;

export interface UploadSession {
  id: string;
  spec: JobSpec;
  path: string;
  received: number;
  total?: number;
  job?: Job;
}

export type ContentRange =
  | { kind: 'chunk'; first: number; last: number; total: number | undefined }
  | { kind: 'status'; total: number | undefined };

/** Parses `bytes a-b/total`, `bytes a-b/*` and `bytes *\/total`. */
export function parseContentRange(header: string): ContentRange {
  const chunk = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (chunk) {
    const [, a = '', b = '', t = ''] = chunk;
    const first = Number(a);
    const last = Number(b);
    const total = t === '*' ? undefined : Number(t);
    if (last < first) throw invalid(`Content-Range "${header}": last byte before first`);
    if (total !== undefined && last >= total) {
      throw invalid(`Content-Range "${header}": last byte beyond the total`);
    }
    return { kind: 'chunk', first, last, total };
  }
  const status = /^bytes \*\/(\d+|\*)$/.exec(header.trim());
  if (status) return { kind: 'status', total: status[1] === '*' ? undefined : Number(status[1]) };
  throw invalid(`Malformed Content-Range "${header}"`);
}

/** What a PUT asks for: keep going (308 with the range received) or finish the upload. */
export type PutOutcome = { kind: 'incomplete'; received: number } | { kind: 'complete' };

export class UploadSessions {
  private readonly sessions = new Map<string, UploadSession>();

  constructor(private readonly dir: string) {}

  /** `total` from `X-Upload-Content-Length`, when the client announced it. */
  async create(spec: JobSpec, total?: number): Promise<UploadSession> {
    const id = randomUUID().replaceAll('-', '');
    const session: UploadSession = {
      ...(total === undefined ? {} : { total }),
      id,
      spec,
      path: join(this.dir, `resumable-${id}`),
      received: 0,
    };
    await writeFile(session.path, Buffer.alloc(0));
    this.sessions.set(id, session);
    return session;
  }

  get(id: string | null): UploadSession {
    const session = id ? this.sessions.get(id) : undefined;
    if (!session) throw new BigQueryApiError(404, 'notFound', `Upload session ${id} not found`);
    return session;
  }

  /** Applies one PUT to the session. */
  async put(session: UploadSession, header: string | undefined, body: Buffer): Promise<PutOutcome> {
    // Without Content-Range the body is the whole file in one request.
    const range: ContentRange = header
      ? parseContentRange(header)
      : body.length === 0
        ? { kind: 'status', total: undefined }
        : { kind: 'chunk', first: 0, last: body.length - 1, total: body.length };
    if (range.total !== undefined) {
      if (session.total !== undefined && session.total !== range.total) {
        throw invalid(`Content-Range total ${range.total} differs from ${session.total}`);
      }
      session.total = range.total;
    }
    if (range.kind === 'chunk') {
      if (range.first !== session.received) {
        throw invalid(
          `Content-Range starts at byte ${range.first}, but ${session.received} bytes were received`,
        );
      }
      if (range.last - range.first + 1 !== body.length) {
        throw invalid(
          `Content-Range announces ${range.last - range.first + 1} bytes, the body has ${body.length}`,
        );
      }
      const final = session.total !== undefined && range.last + 1 === session.total;
      if (!final && body.length % CHUNK_GRANULARITY !== 0) {
        throw invalid(`A non-final chunk must be a multiple of 256 KiB, got ${body.length} bytes`);
      }
      await appendFile(session.path, body);
      session.received += body.length;
    } else if (body.length > 0) {
      throw invalid('A status query (Content-Range: bytes */total) must have an empty body');
    }
    if (session.total !== undefined && session.received === session.total) {
      return { kind: 'complete' };
    }
    return { kind: 'incomplete', received: session.received };
  }
}
