/**
 * `jobs.insert` through the Upload URI: the Job and the data in one call. Small payloads go
 * in one `uploadType=multipart` request; payloads above `resumableThresholdBytes` through a
 * resumable session, PUT in `chunkBytes` chunks. A failed chunk does not restart the
 * upload: the session is asked where it stands and the upload resumes from the server's
 * `Range`. Exactly once comes from the job id, as for the metadata URI: 409 `duplicate`
 * means the job exists, and `jobs.get` returns it.
 * https://cloud.google.com/bigquery/docs/reference/api-uploads
 */
import type { GoogleAuth } from 'google-auth-library';
import { PermanentError, RetryableError } from '../../errors';
import type { LoadPlan } from '../../types';
import type { InsertResult } from './client';
import { bigQueryBaseUrl } from './endpoint';
import { isDuplicateInsert, jobCallError, parseJsonText } from './errors';
import { buildMultipartBody } from './multipart';
import { chunkAt, chunkRange, nextOffset, statusRange } from './resumable';
import { type RetryOptions, retryPolicy, withRetry } from './retry';

export const DEFAULT_RESUMABLE_THRESHOLD = 5 * 1024 * 1024;
export const DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024;

export interface UploadClientOptions {
  auth: GoogleAuth;
  env?: NodeJS.ProcessEnv;
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

interface Answer {
  status: number;
  data: unknown;
  header(name: string): string | undefined;
}

/** A resumable session vanished (404): the upload starts over with a new session. */
class SessionGoneError extends Error {}

export function createUploadClient(options: UploadClientOptions): UploadClient {
  const { auth, getJob } = options;
  const retry = retryPolicy(options.retry);
  const timeout = options.fetchTimeoutMs ?? 60_000;
  const baseUrl = bigQueryBaseUrl(options.env ?? process.env);

  async function call(
    what: string,
    jobId: string,
    request: {
      method: 'POST' | 'PUT';
      url: string;
      headers: Record<string, string>;
      data?: Buffer | string;
    },
  ): Promise<Answer> {
    try {
      const response = await auth.request<unknown>({
        ...request,
        responseType: 'text',
        timeout,
        retry: false,
        // 308 "Resume Incomplete" is an answer of the protocol, not a redirect to follow.
        validateStatus: (status) => (status >= 200 && status < 300) || status === 308,
        maxRedirects: 0,
      });
      return {
        status: response.status,
        data: parseJsonText(response.data),
        header: (name) => headerOf(response.headers, name),
      };
    } catch (error) {
      throw jobCallError(error, what, jobId);
    }
  }

  async function multipart(plan: LoadPlan, data: Buffer): Promise<unknown> {
    const { contentType, body } = buildMultipartBody(plan.job, data);
    const url = jobsUploadUrl(baseUrl, plan.projectId, 'multipart');
    const answer = await withRetry(
      () =>
        call('jobs.insert (multipart upload)', plan.jobId, {
          method: 'POST',
          url,
          headers: { 'Content-Type': contentType },
          data: body,
        }),
      retry,
    );
    return answer.data;
  }

  async function openSession(plan: LoadPlan, total: number): Promise<string> {
    const url = jobsUploadUrl(baseUrl, plan.projectId, 'resumable');
    const answer = await withRetry(
      () =>
        call('jobs.insert (resumable upload)', plan.jobId, {
          method: 'POST',
          url,
          headers: {
            'Content-Type': 'application/json; charset=UTF-8',
            'X-Upload-Content-Type': 'application/octet-stream',
            'X-Upload-Content-Length': String(total),
          },
          data: JSON.stringify(plan.job),
        }),
      retry,
    );
    const location = answer.header('location');
    if (!location) {
      throw new RetryableError(`jobs.insert (resumable upload) ${plan.jobId}: no session URI`);
    }
    return location;
  }

  /** One PUT to the session: the job when complete, else the next byte to send. */
  async function put(
    plan: LoadPlan,
    session: string,
    range: string,
    body: Buffer,
  ): Promise<{ done: true; job: unknown } | { done: false; next: number }> {
    let answer: Answer;
    try {
      answer = await call('resumable upload', plan.jobId, {
        method: 'PUT',
        url: session,
        headers: { 'Content-Range': range, 'Content-Type': 'application/octet-stream' },
        data: body,
      });
    } catch (error) {
      if (error instanceof PermanentError && error.status === 404) {
        throw new SessionGoneError(error.message, { cause: error });
      }
      throw error;
    }
    if (answer.status !== 308) return { done: true, job: answer.data };
    const next = nextOffset(answer.header('range'));
    if (next === undefined) {
      throw new RetryableError(`resumable upload ${plan.jobId}: unreadable Range header`);
    }
    return { done: false, next };
  }

  async function resumable(plan: LoadPlan, data: Buffer, chunkBytes: number): Promise<unknown> {
    const total = data.length;
    const session = await openSession(plan, total);
    let offset = 0;
    let lost = false;
    for (;;) {
      const step = await withRetry(async () => {
        if (lost) {
          // A chunk failed: how much did the server keep? Resume from there.
          const status = await put(plan, session, statusRange(total), Buffer.alloc(0));
          lost = false;
          if (status.done) return status;
          offset = status.next;
        }
        const [first, length] = chunkAt(offset, total, chunkBytes);
        if (length === 0) {
          // A 308 said every byte is there, yet no job came back: ask for the final answer
          // with a status query (a zero-length Content-Range is not a valid range).
          const status = await put(plan, session, statusRange(total), Buffer.alloc(0));
          if (status.done) return status;
          throw new RetryableError(`resumable upload ${plan.jobId}: every byte sent, no job yet`);
        }
        try {
          return await put(
            plan,
            session,
            chunkRange(first, length, total),
            data.subarray(first, first + length),
          );
        } catch (error) {
          lost = true;
          throw error;
        }
      }, retry);
      if (step.done) return step.job;
      offset = step.next;
    }
  }

  async function uploadJob(
    plan: LoadPlan,
    data: Buffer,
    settings: UploadSettings = {},
  ): Promise<InsertResult> {
    const threshold = settings.resumableThresholdBytes ?? DEFAULT_RESUMABLE_THRESHOLD;
    const chunkBytes = settings.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    try {
      if (data.length <= threshold)
        return { outcome: 'submitted', job: await multipart(plan, data) };
      try {
        return { outcome: 'submitted', job: await resumable(plan, data, chunkBytes) };
      } catch (error) {
        if (!(error instanceof SessionGoneError)) throw error;
        // The session expired or was lost: one fresh session (a job that was created
        // meanwhile answers 409 and is confirmed below).
        return { outcome: 'submitted', job: await resumable(plan, data, chunkBytes) };
      }
    } catch (error) {
      if (error instanceof SessionGoneError) {
        throw new RetryableError(error.message, { cause: error, jobId: plan.jobId });
      }
      if (!isDuplicateInsert(error)) throw error;
    }
    return { outcome: 'duplicate', job: await getJob(plan.projectId, plan.jobId, plan.location) };
  }

  return { uploadJob };
}

/** gaxios 7 answers a fetch `Headers`; older shapes are plain objects. */
function headerOf(headers: unknown, name: string): string | undefined {
  if (headers && typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  const value = (headers as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
