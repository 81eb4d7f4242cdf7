/**
 * `jobs.insert` through the Upload URI: the Job and the data in one call. Small payloads go
 * in one `uploadType=multipart` request; payloads above `resumableThresholdBytes` through a
 * resumable session, PUT in `chunkBytes` chunks. A failed chunk does not restart the
 * upload: the session is asked where it stands and the upload resumes from the server's
 * `Range`. Exactly once comes from the job id, as for the metadata URI: 409 `duplicate`
 * means the job exists, and `jobs.get` returns it.
 * https://cloud.google.com/bigquery/docs/reference/api-uploads
 */
import { PermanentError, RetryableError } from '../../errors';
import type { LoadPlan } from '../../types';
import { createGoogleEdge, type EdgeAnswer, type GoogleEdge } from '../edge';
import { type RetryOptions, retryPolicy, withRetry } from '../retry';
import { duplicateOf, type InsertResult, isDuplicateInsert } from './client';
import { buildMultipartBody } from './multipart';
import { chunkAt, chunkRange, nextOffset, statusRange } from './resumable';

export const DEFAULT_RESUMABLE_THRESHOLD = 5 * 1024 * 1024;
export const DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024;

export interface UploadClientOptions {
  /** Default: an edge of its own, from process.env and Application Default Credentials. */
  edge?: GoogleEdge;
  retry?: RetryOptions;
  /** Per HTTP request. Default 60 000 (a chunk is several MiB). */
  fetchTimeoutMs?: number;
  /** jobs.get, for a job id that already exists. */
  getJob: (projectId: string, jobId: string, location: string) => Promise<unknown>;
}

export interface UploadSettings {
  resumableThresholdBytes?: number;
  chunkBytes?: number;
}

export interface UploadClient {
  uploadJob(plan: LoadPlan, data: Buffer, settings?: UploadSettings): Promise<InsertResult>;
}

/** `uploadType=multipart|resumable` URL of jobs.insert. */
export function jobsUploadUrl(baseUrl: string, projectId: string, uploadType: string): string {
  return `${baseUrl}/upload/bigquery/v2/projects/${encodeURIComponent(projectId)}/jobs?uploadType=${uploadType}`;
}

/** A resumable session vanished (404): the upload starts over with a new session. */
class SessionGoneError extends Error {}

const EMPTY = Buffer.alloc(0);

/** What every request of one client needs. */
interface UploadContext {
  edge: GoogleEdge;
  retry: Required<RetryOptions>;
  timeoutMs: number;
  baseUrl: string;
}

export function createUploadClient(options: UploadClientOptions): UploadClient {
  const edge = options.edge ?? createGoogleEdge();
  const ctx: UploadContext = {
    edge,
    retry: retryPolicy(options.retry),
    timeoutMs: options.fetchTimeoutMs ?? 60_000,
    get baseUrl() {
      return edge.endpoints.bigquery;
    },
  };
  return {
    uploadJob: async (plan, data, settings = {}) => {
      try {
        return { outcome: 'submitted', job: await upload(ctx, plan, data, settings) };
      } catch (error) {
        if (error instanceof SessionGoneError) {
          throw new RetryableError(error.message, { cause: error, jobId: plan.jobId });
        }
        if (!isDuplicateInsert(error)) throw error;
        return duplicateOf(plan, options.getJob, error);
      }
    },
  };
}

/** Multipart up to the threshold, else resumable (with one fresh session if it vanished). */
async function upload(
  ctx: UploadContext,
  plan: LoadPlan,
  data: Buffer,
  settings: UploadSettings,
): Promise<unknown> {
  const threshold = settings.resumableThresholdBytes ?? DEFAULT_RESUMABLE_THRESHOLD;
  const chunkBytes = settings.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (data.length <= threshold) return multipart(ctx, plan, data);
  try {
    return await resumable(ctx, plan, data, chunkBytes);
  } catch (error) {
    if (!(error instanceof SessionGoneError)) throw error;
    // The session expired or was lost: one fresh session (a job that was created meanwhile
    // answers 409 and is confirmed by the caller).
    return resumable(ctx, plan, data, chunkBytes);
  }
}

interface UploadRequest {
  method: 'POST' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body: Buffer | string;
  deadline?: number;
}

/** One request of the upload protocol; 308 "Resume Incomplete" is an answer, not a redirect. */
function call(ctx: UploadContext, what: string, jobId: string, request: UploadRequest) {
  return ctx.edge.call({
    service: 'bigquery',
    ...request,
    accept: [308],
    what: `${what} ${jobId}`,
    jobId,
    timeoutMs: ctx.timeoutMs,
  });
}

async function multipart(ctx: UploadContext, plan: LoadPlan, data: Buffer): Promise<unknown> {
  const { contentType, body } = buildMultipartBody(plan.job, data);
  const url = jobsUploadUrl(ctx.baseUrl, plan.projectId, 'multipart');
  const answer = await withRetry(
    ({ deadline }) =>
      call(ctx, 'jobs.insert (multipart upload)', plan.jobId, {
        method: 'POST',
        url,
        headers: { 'content-type': contentType },
        body,
        deadline,
      }),
    ctx.retry,
  );
  return answer.json();
}

async function openSession(ctx: UploadContext, plan: LoadPlan, total: number): Promise<string> {
  const url = jobsUploadUrl(ctx.baseUrl, plan.projectId, 'resumable');
  const answer = await withRetry(
    ({ deadline }) =>
      call(ctx, 'jobs.insert (resumable upload)', plan.jobId, {
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json; charset=UTF-8',
          'x-upload-content-type': 'application/octet-stream',
          'x-upload-content-length': String(total),
        },
        body: JSON.stringify(plan.job),
        deadline,
      }),
    ctx.retry,
  );
  const location = answer.headers.location;
  if (!location) {
    throw new RetryableError(`jobs.insert (resumable upload) ${plan.jobId}: no session URI`);
  }
  return location;
}

type PutResult = { done: true; job: unknown } | { done: false; next: number };

/** One PUT to the session: the job when complete, else the next byte to send. */
async function put(
  ctx: UploadContext,
  plan: LoadPlan,
  session: string,
  part: { range: string; body: Buffer; deadline: number },
): Promise<PutResult> {
  let answer: EdgeAnswer;
  try {
    answer = await call(ctx, 'resumable upload', plan.jobId, {
      method: 'PUT',
      url: session,
      headers: { 'content-range': part.range, 'content-type': 'application/octet-stream' },
      body: part.body,
      deadline: part.deadline,
    });
  } catch (error) {
    if (error instanceof PermanentError && error.status === 404) {
      throw new SessionGoneError(error.message, { cause: error });
    }
    throw error;
  }
  if (answer.status !== 308) return { done: true, job: answer.json() };
  const next = nextOffset(answer.headers.range);
  if (next === undefined) {
    throw new RetryableError(`resumable upload ${plan.jobId}: unreadable Range header`);
  }
  return { done: false, next };
}

async function resumable(
  ctx: UploadContext,
  plan: LoadPlan,
  data: Buffer,
  chunkBytes: number,
): Promise<unknown> {
  const total = data.length;
  const session = await openSession(ctx, plan, total);
  const ask = (deadline: number) =>
    put(ctx, plan, session, { range: statusRange(total), body: EMPTY, deadline });
  let offset = 0;
  let lost = false;
  for (;;) {
    const step = await withRetry(async ({ deadline }): Promise<PutResult> => {
      if (lost) {
        // A chunk failed: how much did the server keep? Resume from there.
        const status = await ask(deadline);
        lost = false;
        if (status.done) return status;
        offset = status.next;
      }
      const [first, length] = chunkAt(offset, total, chunkBytes);
      if (length === 0) {
        // A 308 said every byte is there, yet no job came back: ask for the final answer
        // with a status query (a zero-length Content-Range is not a valid range).
        const status = await ask(deadline);
        if (status.done) return status;
        throw new RetryableError(`resumable upload ${plan.jobId}: every byte sent, no job yet`);
      }
      const chunk = { range: chunkRange(first, length, total), deadline };
      try {
        return await put(ctx, plan, session, {
          ...chunk,
          body: data.subarray(first, first + length),
        });
      } catch (error) {
        lost = true;
        throw error;
      }
    }, ctx.retry);
    if (step.done) return step.job;
    offset = step.next;
  }
}
