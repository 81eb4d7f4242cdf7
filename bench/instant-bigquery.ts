/**
 * A BigQuery jobs endpoint that answers at once, so the benchmark measures the function and
 * not a backend. jobs.insert echoes the job back as DONE; jobs.get answers DONE. It serves
 * both `/bigquery/v2/projects/…` (plain REST callers, bq-autoloader) and `/projects/…`
 * (@google-cloud/bigquery uses BIGQUERY_EMULATOR_HOST verbatim as its base URL).
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/insert
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal, readBody, sendJson } from '../dev/http-util';

export interface InstantBigQuery {
  /** `127.0.0.1:PORT`, the value for BIGQUERY_EMULATOR_HOST. */
  host: string;
  /** jobs.insert calls answered so far (the benchmark checks one per event). */
  inserts(): number;
  close(): Promise<void>;
}

const JOBS = /^(?:\/bigquery\/v2)?\/projects\/([^/]+)\/jobs(?:\/([^/?]+))?$/;

interface JobBody {
  jobReference?: { jobId?: string; location?: string };
  configuration?: unknown;
}

export async function startInstantBigQuery(): Promise<InstantBigQuery> {
  let inserts = 0;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://bigquery');
    const match = JOBS.exec(url.pathname);
    const body = await readBody(req);
    if (!match) {
      sendJson(res, 404, { error: { code: 404, message: `no route ${url.pathname}` } });
      return;
    }
    const projectId = match[1] ?? '';
    if (req.method === 'POST' && !match[2]) {
      inserts++;
      const job = JSON.parse(body.toString('utf8') || '{}') as JobBody;
      const jobId = job.jobReference?.jobId ?? randomUUID();
      const location = job.jobReference?.location ?? 'US';
      sendJson(res, 200, doneJob(projectId, jobId, location, job.configuration));
      return;
    }
    if (req.method === 'GET' && match[2]) {
      const location = url.searchParams.get('location') ?? 'US';
      sendJson(res, 200, doneJob(projectId, decodeURIComponent(match[2]), location, {}));
      return;
    }
    sendJson(res, 405, { error: { code: 405, message: 'method not allowed' } });
  };
  const listening = await listenLocal((req, res) => {
    handle(req, res).catch((error: unknown) => {
      sendJson(res, 500, { error: { code: 500, message: String(error) } });
    });
  });
  return {
    host: `127.0.0.1:${listening.port}`,
    inserts: () => inserts,
    close: listening.close,
  };
}

function doneJob(projectId: string, jobId: string, location: string, configuration: unknown) {
  return {
    kind: 'bigquery#job',
    id: `${projectId}:${location}.${jobId}`,
    jobReference: { projectId, jobId, location },
    configuration,
    status: { state: 'DONE' },
    statistics: { creationTime: String(Date.now()), load: { outputRows: '0' } },
  };
}
