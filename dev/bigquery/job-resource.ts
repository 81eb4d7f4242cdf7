/**
 * A job as the store keeps it, and the BigQuery Job resource it renders.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job
 */
import { BigQueryApiError, type ErrorProto } from './errors';
import type { LoadResult } from './load-outcome';
import type { QueryStatistics } from './query-job';

export type JobState = 'PENDING' | 'RUNNING' | 'DONE';

export type JobType = 'LOAD' | 'QUERY';

/** The BigQuery Job resource, as served. */
export interface Job {
  kind: 'bigquery#job';
  id: string;
  selfLink: string;
  user_email: string;
  jobReference: JobReference;
  configuration: Record<string, unknown>;
  status: { state: JobState; errorResult?: ErrorProto; errors?: ErrorProto[] };
  statistics: {
    creationTime: string;
    startTime?: string;
    endTime?: string;
    totalBytesProcessed?: string;
    load?: { inputFiles: string; inputFileBytes: string; outputRows: string; badRecords: string };
    query?: QueryStatistics;
  };
}

export interface JobReference {
  projectId: string;
  jobId: string;
  location: string;
}

export interface JobRecord {
  reference: JobReference;
  jobType: JobType;
  /** The configuration as sent. */
  configuration: Record<string, unknown>;
  state: JobState;
  creationTime: number;
  startTime?: number;
  endTime?: number;
  load?: LoadResult;
  query?: QueryStatistics;
  failure?: { errorResult: ErrorProto; errors: ErrorProto[] };
  done: Promise<void>;
}

export function failureOf(error: unknown): { errorResult: ErrorProto; errors: ErrorProto[] } {
  if (error instanceof BigQueryApiError) {
    const details = (error as { details?: ErrorProto[] }).details ?? [];
    return { errorResult: error.toErrorProto(), errors: [error.toErrorProto(), ...details] };
  }
  const errorResult = { reason: 'internalError', message: String((error as Error)?.message) };
  return { errorResult, errors: [errorResult] };
}

function statisticsOf(record: JobRecord): Job['statistics'] {
  const statistics: Job['statistics'] = { creationTime: String(record.creationTime) };
  if (record.startTime !== undefined) statistics.startTime = String(record.startTime);
  if (record.state !== 'DONE') return statistics;
  if (record.endTime !== undefined) statistics.endTime = String(record.endTime);
  if (record.jobType === 'LOAD') {
    const r = record.load;
    statistics.load = {
      inputFiles: String(r?.inputFiles ?? 0),
      inputFileBytes: String(r?.inputFileBytes ?? 0),
      outputRows: String(r?.outputRows ?? 0),
      badRecords: String(r?.badRecords ?? 0),
    };
  } else if (record.query) {
    statistics.totalBytesProcessed = record.query.totalBytesProcessed;
    statistics.query = record.query;
  }
  return statistics;
}

export function renderJob(record: JobRecord, baseUrl: string): Job {
  const { projectId, jobId, location } = record.reference;
  const status: Job['status'] = { state: record.state };
  if (record.failure) {
    status.errorResult = record.failure.errorResult;
    status.errors = record.failure.errors;
  } else if (record.load && record.load.errors.length > 0) {
    status.errors = record.load.errors;
  }
  return {
    kind: 'bigquery#job',
    id: `${projectId}:${location}.${jobId}`,
    selfLink: `${baseUrl}/bigquery/v2/projects/${projectId}/jobs/${jobId}?location=${location}`,
    user_email: 'local-bigquery@localhost',
    jobReference: { projectId, jobId, location },
    configuration: { ...record.configuration, jobType: record.jobType },
    status,
    statistics: statisticsOf(record),
  };
}
