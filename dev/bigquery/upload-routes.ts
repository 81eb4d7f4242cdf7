/**
 * Load jobs whose data comes in the request (/upload/…/jobs): multipart in one request, or a
 * resumable session (start, then PUT chunks); the job starts once every byte has arrived.
 */
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from './errors';
import { type IncomingRequest, parseJsonBody, type Reply } from './http';
import type { JobStore } from './jobs';
import { parseJob } from './load-config';
import { parseMultipartRelated } from './multipart';
import type { UploadSessions } from './resumable';
import { uploadedFile } from './sources';

export interface UploadContext {
  jobs: JobStore;
  sessions: UploadSessions;
  /** Where uploaded bytes wait for their job. */
  uploadsDir: string;
  /** The server's own URL (a resumable session's Location), known once it listens. */
  url(): string;
}

/** The answer to an upload request, or undefined when `parsed` is no upload path. */
export async function routeUpload(
  ctx: UploadContext,
  req: IncomingRequest,
  parsed: URL,
): Promise<Reply | undefined> {
  const upload = /^\/upload(?:\/bigquery\/v2)?\/projects\/([^/]+)\/jobs$/.exec(parsed.pathname);
  if (!upload) return undefined;
  const projectId = decodeURIComponent(upload[1] ?? '');
  const uploadType = parsed.searchParams.get('uploadType');
  if (req.method === 'POST' && uploadType === 'multipart') {
    const { metadata, media } = parseMultipartRelated(req.headers['content-type'], req.body);
    return insertUpload(ctx, projectId, metadata, media);
  }
  if (req.method === 'POST' && uploadType === 'resumable') {
    return resumableStart(ctx, req, projectId, parsed.pathname + parsed.search);
  }
  if (req.method === 'PUT' && uploadType === 'resumable') {
    return resumablePut(ctx, parsed.searchParams.get('upload_id'), req);
  }
  throw invalid(`Unsupported upload: ${req.method} uploadType=${uploadType}`);
}

async function insertUpload(
  { jobs, uploadsDir }: UploadContext,
  projectId: string,
  metadata: unknown,
  media: Buffer,
): Promise<Reply> {
  const spec = parseJob(metadata, projectId, true);
  jobs.assertNew(spec);
  const path = join(uploadsDir, `multipart-${randomUUID()}`);
  await writeFile(path, media);
  const job = jobs.insert(
    spec,
    async () => [await uploadedFile(path)],
    () => rm(path, { force: true }),
  );
  return { status: 200, body: job };
}

async function resumableStart(
  { jobs, sessions, url }: UploadContext,
  req: IncomingRequest,
  projectId: string,
  path: string,
) {
  const spec = parseJob(parseJsonBody(req), projectId, true);
  jobs.assertNew(spec);
  const announced = req.headers['x-upload-content-length'];
  const total =
    typeof announced === 'string' && /^\d+$/.test(announced) ? Number(announced) : undefined;
  const session = await sessions.create(spec, total);
  const separator = path.includes('?') ? '&' : '?';
  return {
    status: 200,
    headers: { Location: `${url()}${path}${separator}upload_id=${session.id}` },
  };
}

async function resumablePut(
  { jobs, sessions }: UploadContext,
  uploadId: string | null,
  req: IncomingRequest,
): Promise<Reply> {
  const session = sessions.get(uploadId);
  if (session.job) {
    return { status: 200, body: jobs.get(session.spec.projectId, session.spec.jobId) };
  }
  const range = req.headers['content-range'];
  const outcome = await sessions.put(
    session,
    typeof range === 'string' ? range : undefined,
    req.body,
  );
  if (outcome.kind === 'incomplete') {
    // 308 "Resume Incomplete"; Range names the bytes persisted (absent when none).
    const headers: Record<string, string> =
      outcome.received > 0 ? { Range: `bytes=0-${outcome.received - 1}` } : {};
    return { status: 308, headers };
  }
  const file = session.path;
  session.job = jobs.insert(
    session.spec,
    async () => [await uploadedFile(file)],
    () => rm(file, { force: true }),
  );
  return { status: 200, body: session.job };
}
