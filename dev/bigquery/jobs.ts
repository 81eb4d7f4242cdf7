/**
 * The job store: jobs are inserted once per (project, jobId) and move PENDING → RUNNING →
 * DONE in the background, one at a time per warehouse. The Job resource they render is
 * BigQuery's. https://cloud.google.com/bigquery/docs/reference/rest/v2/Job
 */
import { BigQueryApiError, type ErrorProto } from './errors';
import { runLoad } from './load';
import type { LoadResult } from './load-outcome';
import type { JobSpec } from './load-spec';
import type { SourceFile } from './sources';
import type { Staging } from './staging';
import type { Warehouse } from './warehouse';

export type JobState = 'PENDING' | 'RUNNING' | 'DONE';

/** The BigQuery Job resource, as served. */
export interface Job {
  kind: 'bigquery#job';
  id: string;
  selfLink: string;
  user_email: string;
  jobReference: { projectId: string; jobId: string; location: string };
  configuration: Record<string, unknown>;
  status: { state: JobState; errorResult?: ErrorProto; errors?: ErrorProto[] };
  statistics: {
    creationTime: string;
    startTime?: string;
    endTime?: string;
    load?: { inputFiles: string; inputFileBytes: string; outputRows: string; badRecords: string };
  };
}

interface JobRecord {
  spec: JobSpec;
  state: JobState;
  creationTime: number;
  startTime?: number;
  endTime?: number;
  result?: LoadResult;
  failure?: { errorResult: ErrorProto; errors: ErrorProto[] };
  done: Promise<void>;
}

/** Where a job's bytes come from: gs:// URIs or an upload, resolved when the job runs. */
export type SourceResolver = () => Promise<SourceFile[]>;

function key(projectId: string, jobId: string): string {
  return `${projectId}/${jobId}`;
}

function failureOf(error: unknown): { errorResult: ErrorProto; errors: ErrorProto[] } {
  if (error instanceof BigQueryApiError) {
    const details = (error as { details?: ErrorProto[] }).details ?? [];
    return { errorResult: error.toErrorProto(), errors: [error.toErrorProto(), ...details] };
  }
  const errorResult = { reason: 'internalError', message: String((error as Error)?.message) };
  return { errorResult, errors: [errorResult] };
}

export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(
    private readonly warehouse: Warehouse,
    private readonly staging: Staging,
    private readonly baseUrl: () => string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Jobs finished before a restart (kept in the warehouse file). */
  private readonly finished = new Map<string, Job>();

  /** Reloads the jobs a file warehouse remembers, so a job id stays used across restarts. */
  async restore(): Promise<void> {
    for (const job of await this.warehouse.exclusive(() => this.warehouse.savedJobs())) {
      const { projectId, jobId } = job.jobReference;
      this.finished.set(key(projectId, jobId), job as Job);
    }
  }

  /** 409 `duplicate` when the job id exists in the project. */
  assertNew(spec: JobSpec): void {
    const id = key(spec.projectId, spec.jobId);
    if (this.jobs.has(id) || this.finished.has(id)) {
      throw new BigQueryApiError(
        409,
        'duplicate',
        `Already Exists: Job ${spec.projectId}:${spec.location}.${spec.jobId}`,
      );
    }
  }

  /** Registers the job and schedules its load; 409 `duplicate` if the id exists. */
  insert(spec: JobSpec, sources: SourceResolver, cleanup?: () => Promise<void>): Job {
    this.assertNew(spec);
    const id = key(spec.projectId, spec.jobId);
    const record: JobRecord = {
      spec,
      state: 'PENDING',
      creationTime: this.clock().getTime(),
      done: Promise.resolve(),
    };
    const finish = async () => {
      record.endTime = this.clock().getTime();
      record.state = 'DONE';
      await this.warehouse.saveJob(spec.projectId, spec.jobId, this.render(record));
    };
    record.done = this.warehouse
      .exclusive(async () => {
        record.state = 'RUNNING';
        const started = this.clock();
        record.startTime = started.getTime();
        let release: () => Promise<void> = async () => undefined;
        try {
          // Staged inside `exclusive`: no query runs while a load's files are readable.
          const staged = await this.staging.stage(await sources());
          release = staged.release;
          await runLoad(this.warehouse, spec.load, staged.files, started, async (result) => {
            record.result = result;
            await finish();
          });
        } catch (error) {
          record.result = undefined;
          record.failure = failureOf(error);
          await finish();
        } finally {
          await release();
        }
      })
      .catch(() => undefined)
      .finally(async () => {
        record.endTime ??= this.clock().getTime();
        record.state = 'DONE';
        await cleanup?.().catch(() => undefined);
      });
    this.jobs.set(id, record);
    for (const wake of this.waiters.get(id) ?? []) wake();
    this.waiters.delete(id);
    return this.render(record);
  }

  /** The job, or 404 `notFound` (also when `location` is given and differs). */
  get(projectId: string, jobId: string, location?: string): Job {
    const record = this.jobs.get(key(projectId, jobId));
    const job = record ? this.render(record) : this.finished.get(key(projectId, jobId));
    const where = job?.jobReference.location.toLowerCase();
    if (!job || (location && location.toLowerCase() !== where)) {
      throw new BigQueryApiError(
        404,
        'notFound',
        `Not found: Job ${projectId}:${location ?? 'US'}.${jobId}`,
      );
    }
    return job;
  }

  /** Resolves with the job once it is DONE; waits for the job to be inserted if needed. */
  async waitForJob(projectId: string, jobId: string): Promise<Job> {
    const id = key(projectId, jobId);
    const finished = this.finished.get(id);
    if (finished) return finished;
    if (!this.jobs.has(id)) {
      await new Promise<void>((resolve) => {
        this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]);
      });
    }
    const record = this.jobs.get(id) as JobRecord;
    await record.done;
    return this.render(record);
  }

  /** Every job's completion (used by close). */
  async settled(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((r) => r.done));
  }

  private render(record: JobRecord): Job {
    const { projectId, jobId, location } = record.spec;
    const status: Job['status'] = { state: record.state };
    if (record.failure) {
      status.errorResult = record.failure.errorResult;
      status.errors = record.failure.errors;
    } else if (record.result && record.result.errors.length > 0) {
      status.errors = record.result.errors;
    }
    const statistics: Job['statistics'] = { creationTime: String(record.creationTime) };
    if (record.startTime !== undefined) statistics.startTime = String(record.startTime);
    if (record.state === 'DONE' && record.endTime !== undefined) {
      statistics.endTime = String(record.endTime);
    }
    if (record.state === 'DONE') {
      const r = record.result;
      statistics.load = {
        inputFiles: String(r?.inputFiles ?? 0),
        inputFileBytes: String(r?.inputFileBytes ?? 0),
        outputRows: String(r?.outputRows ?? 0),
        badRecords: String(r?.badRecords ?? 0),
      };
    }
    return {
      kind: 'bigquery#job',
      id: `${projectId}:${location}.${jobId}`,
      selfLink: `${this.baseUrl()}/bigquery/v2/projects/${projectId}/jobs/${jobId}?location=${location}`,
      user_email: 'local-bigquery@localhost',
      jobReference: { projectId, jobId, location },
      configuration: { ...record.spec.configuration, jobType: 'LOAD' },
      status,
      statistics,
    };
  }
}
