/**
 * A local BigQuery jobs API backed by DuckDB, for `npm start` and the integration tests.
 * Speaks the REST shapes of https://cloud.google.com/bigquery/docs/reference/rest on
 * 127.0.0.1, under both `/bigquery/v2/projects/…` and `/projects/…` (the path Google's Node
 * client uses with BIGQUERY_EMULATOR_HOST). Every request is recorded (a bounded prefix of
 * its body: http.ts) before any injected fault applies, so tests can assert on what the
 * loader sent.
 * All projects share one warehouse: `dataset.table` names a table whatever the project.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listenLocal } from '../http-util';
import { DEFAULT_MAX_BODY_BYTES } from '../local-guard';
import { Catalog } from './catalog';
import { BigQueryApiError, invalid } from './errors';
import { answersFault, type Fault, FaultList } from './faults';
import {
  answerFault,
  errorReply,
  type IncomingRequest,
  parseJsonBody,
  type RecordedRequest,
  type Reply,
  receive,
  send,
} from './http';
import { type Job, JobStore } from './jobs';
import { parseJob } from './load-config';
import { isQueryJob, parseQueryJob } from './query-config';
import { queryResponse } from './rest-shapes';
import { UploadSessions } from './resumable';
import { resolveSourceUris } from './sources';
import { Staging } from './staging';
import { routeCatalog } from './table-routes';
import { routeUpload } from './upload-routes';
import { type Row, Warehouse } from './warehouse';

export type { Fault } from './faults';
export type { RecordedRequest } from './http';
export type { Job } from './jobs';

export interface BigQueryServerOptions {
  /** `<bucketsDir>/B/N` holds object N of bucket B (the local GCS store). */
  bucketsDir: string;
  /** A DuckDB file; default `:memory:`. */
  warehousePath?: string;
  /** Default 0: any free port. */
  port?: number;
  /** The project named in answers that have no project of their own; default `local-project`. */
  projectId?: string;
  /** Largest request body (one upload chunk, a multipart upload) accepted; default 64 MiB. */
  maxBodyBytes?: number;
  /** The server's time (job times, CURRENT_TIMESTAMP, table expiration); tests move it. */
  clock?: () => Date;
}

export interface BigQueryServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, for BIGQUERY_EMULATOR_HOST. */
  host: string;
  /** The last requests, bodies cut to a prefix (http.ts: RECORDED_BODY_BYTES). */
  requests: RecordedRequest[];
  injectFault(fault: Fault): void;
  clearFaults(): void;
  /** Resolves when the job is DONE (waits for it to be inserted first). */
  waitForJob(projectId: string, jobId: string): Promise<Job>;
  /** Runs SQL (tables named `dataset.table`) and answers JSON-safe rows. */
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startBigQueryServer(options: BigQueryServerOptions): Promise<BigQueryServer> {
  const uploadsDir = await mkdtemp(join(tmpdir(), 'local-bigquery-'));
  const staging = await Staging.create(uploadsDir);
  const warehouse = await Warehouse.open(options.warehousePath ?? ':memory:', staging.dir);
  const defaultProject = options.projectId ?? 'local-project';
  const requests: RecordedRequest[] = [];
  const faults = new FaultList();
  let url = '';
  const clock = options.clock ?? (() => new Date());
  const catalog = new Catalog(warehouse);
  await warehouse.exclusive(() => catalog.open());
  const jobs = new JobStore(warehouse, staging, catalog, () => url, clock);
  await jobs.restore();
  const catalogContext = { warehouse, catalog, clock };
  const uploads = { jobs, sessions: new UploadSessions(uploadsDir), uploadsDir, url: () => url };

  async function insertFromUris(projectId: string, body: unknown): Promise<Reply> {
    if (isQueryJob(body)) {
      const spec = parseQueryJob(body, projectId);
      return { status: 200, body: spec.dryRun ? await jobs.dryRun(spec) : jobs.insertQuery(spec) };
    }
    const spec = parseJob(body, projectId, false);
    const job = jobs.insert(spec, () =>
      resolveSourceUris(options.bucketsDir, spec.load.sourceUris),
    );
    return { status: 200, body: job };
  }

  async function route(req: IncomingRequest): Promise<Reply> {
    const parsed = new URL(req.path, 'http://local');
    const uploaded = await routeUpload(uploads, req, parsed);
    if (uploaded) return uploaded;
    const path = parsed.pathname.replace(/^\/bigquery\/v2(?=\/)/, '');
    const segments = path.split('/').slice(1).map(decodeURIComponent);
    const [root, projectId = defaultProject, collection, id, sub, subId, extra] = segments;
    if (root !== 'projects' || extra !== undefined) {
      throw new BigQueryApiError(404, 'notFound', `Not found: ${req.method} ${parsed.pathname}`);
    }
    const method = req.method;
    if (collection === 'jobs' && id === undefined && method === 'POST') {
      return insertFromUris(projectId, parseJsonBody(req));
    }
    if (collection === 'jobs' && id !== undefined && sub === undefined && method === 'GET') {
      const location = parsed.searchParams.get('location') ?? undefined;
      return { status: 200, body: jobs.get(projectId, id, location) };
    }
    if (collection === 'queries' && id === undefined && method === 'POST') {
      const body = parseJsonBody(req) as { query?: unknown; useLegacySql?: unknown };
      if (typeof body.query !== 'string') throw invalid('query is required');
      if (body.useLegacySql === true)
        throw invalid('Legacy SQL is not supported by the local BigQuery server');
      const result = await warehouse.readOnlyQuery(body.query).catch((cause: Error) => {
        throw invalid(cause.message.split('\n')[0] ?? cause.message);
      });
      return { status: 200, body: queryResponse(projectId, `query_${randomUUID()}`, result) };
    }
    if (collection === 'datasets') {
      const path = {
        projectId,
        ...(id === undefined ? {} : { datasetId: id }),
        ...(sub === undefined ? {} : { sub }),
        ...(subId === undefined ? {} : { tableId: subId }),
      };
      const served = routeCatalog(catalogContext, req, parsed, path);
      if (served) return served;
    }
    throw new BigQueryApiError(404, 'notFound', `Not found: ${req.method} ${parsed.pathname}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const incoming = await receive(req, res, maxBodyBytes, requests);
    if (!incoming) return;
    let fault = faults.take(incoming.method, incoming.path);
    if (fault?.hold) {
      let gone = req.socket.destroyed || req.socket.readableEnded;
      const leave = () => {
        gone = true;
      };
      req.socket.once('close', leave).once('end', leave);
      fault.onHold?.();
      await fault.hold.catch(() => undefined);
      req.socket.off('close', leave).off('end', leave);
      if (gone || req.socket.destroyed) {
        req.socket.destroy();
        return;
      }
      if (!answersFault(fault)) fault = undefined;
    }
    if (fault && !fault.afterServing) {
      answerFault(req, res, fault);
      return;
    }
    const reply = await route(incoming).catch(errorReply);
    if (fault) answerFault(req, res, fault);
    else send(res, reply);
  }

  const listening = await listenLocal((req, res) => {
    handle(req, res).catch(() => res.destroy());
  }, options.port);
  const host = `127.0.0.1:${listening.port}`;
  url = `http://${host}`;

  return {
    url,
    host,
    requests,
    injectFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    waitForJob: (projectId, jobId) => jobs.waitForJob(projectId, jobId),
    query: async (sql: string): Promise<Row[]> => {
      await warehouse.exclusive(() => catalog.dropExpired(clock().getTime()));
      return (await warehouse.query(sql)).rows;
    },
    close: async () => {
      await listening.close();
      await jobs.settled();
      await warehouse.close();
      await rm(uploadsDir, { recursive: true, force: true });
    },
  };
}
