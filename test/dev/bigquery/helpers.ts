/** Shared setup for the local BigQuery server tests: a temp buckets dir and REST helpers. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  type BigQueryServer,
  type BigQueryServerOptions,
  startBigQueryServer,
} from '../../../dev/bigquery/server';

export const PROJECT = 'test-project';
export const FIXTURES = join(__dirname, '../../fixtures/data');

export interface Harness {
  server: BigQueryServer;
  bucketsDir: string;
  /** Writes object `name` of `bucket` into the local store. */
  putObject(bucket: string, name: string, bytes: Buffer | string): void;
  /** POSTs a Job to the metadata URI. */
  insertJob(job: unknown): Promise<Response>;
  /** A load job body for `gs://` URIs. */
  loadJob(jobId: string, load: Record<string, unknown>): unknown;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<BigQueryServerOptions> = {}): Promise<Harness> {
  const bucketsDir = mkdtempSync(join(tmpdir(), 'bq-test-'));
  const server = await startBigQueryServer({ bucketsDir, projectId: PROJECT, ...options });
  return {
    server,
    bucketsDir,
    putObject(bucket, name, bytes) {
      const path = join(bucketsDir, bucket, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    },
    insertJob: (job) =>
      fetch(`${server.url}/bigquery/v2/projects/${PROJECT}/jobs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(job),
      }),
    loadJob: (jobId, load) => ({
      jobReference: { projectId: PROJECT, jobId, location: 'US' },
      configuration: { load },
    }),
    async close() {
      await server.close();
      rmSync(bucketsDir, { recursive: true, force: true });
    },
  };
}

export const SALES_SCHEMA = {
  fields: [
    { name: 'id', type: 'INT64', mode: 'REQUIRED' },
    { name: 'name', type: 'STRING' },
    { name: 'amount', type: 'FLOAT64' },
  ],
};

/** A query job body: GoogleSQL (useLegacySql false), `query` fields and configuration extras. */
export function queryJobBody(
  jobId: string,
  sql: string,
  query: Record<string, unknown> = {},
  configuration: Record<string, unknown> = {},
): unknown {
  return {
    jobReference: { projectId: PROJECT, jobId, location: 'US' },
    configuration: { query: { query: sql, useLegacySql: false, ...query }, ...configuration },
  };
}

/** Calls the REST API under `/bigquery/v2`; answers the status and the JSON body (if any). */
export async function callApi(
  server: BigQueryServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.url}/bigquery/v2/projects/${PROJECT}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}
