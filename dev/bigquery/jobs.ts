/**
 * The job store: jobs are inserted once per (project, jobId) and move PENDING → RUNNING →
 * DONE in the background, one at a time per warehouse, each in one transaction. Loads and
 * query jobs share it. https://cloud.google.com/bigquery/docs/reference/rest/v2/Job
 */
import type { Catalog } from './catalog';
import { BigQueryApiError } from './errors';
import {
  failureOf,
  type Job,
  type JobRecord,
  type JobReference,
  type JobType,
  renderJob,
} from './job-resource';
import { runLoad } from './load';
import type { JobSpec } from './load-spec';
import type { QueryJobSpec } from './query-config';
import { dryRunQuery, runQuery } from './query-job';
import type { SourceFile } from './sources';
import type { Staging } from './staging';
import type { Warehouse } from './warehouse';

export type { Job, JobState } from './job-resource';

/** Where a job's bytes come from: gs:// URIs or an upload, resolved when the job runs. */
export type SourceResolver = () => Promise<SourceFile[]>;

function key(projectId: string, jobId: string): string {
  return `${projectId}/${jobId}`;
}

/** What a job does once RUNNING; `commit` records it inside the job's transaction. */
type Execute = (record: JobRecord, now: Date, commit: () => Promise<void>) => Promise<void>;

export class JobStore {
  private readonly jobs = new Map<string, JobRecord>();
  private readonly waiters = new Map<string, (() => void)[]>();
  /** Jobs finished before a restart (kept in the warehouse file). */
  private readonly finished = new Map<string, Job>();

  constructor(
    private readonly warehouse: Warehouse,
    private readonly staging: Staging,
    private readonly catalog: Catalog,
    private readonly baseUrl: () => string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Reloads the jobs a file warehouse remembers, so a job id stays used across restarts. */
  async restore(): Promise<void> {
    for (const job of await this.warehouse.exclusive(() => this.warehouse.savedJobs())) {
      const { projectId, jobId } = job.jobReference;
      this.finished.set(key(projectId, jobId), job as Job);
    }
  }

  /** 409 `duplicate` when the job id exists in the project. */
  assertNew(spec: JobReference): void {
    const id = key(spec.projectId, spec.jobId);
    if (this.jobs.has(id) || this.finished.has(id)) {
      throw new BigQueryApiError(
        409,
        'duplicate',
        `Already Exists: Job ${spec.projectId}:${spec.location}.${spec.jobId}`,
      );
    }
  }

  /** Registers a load job and schedules it; 409 `duplicate` if the id exists. */
  insert(spec: JobSpec, sources: SourceResolver, cleanup?: () => Promise<void>): Job {
    return this.schedule(spec, 'LOAD', spec.configuration, cleanup, async (record, now, commit) => {
      let release: () => Promise<void> = async () => undefined;
      try {
        // Staged inside `exclusive`: no query runs while a load's files are readable.
        const staged = await this.staging.stage(await sources());
        release = staged.release;
        await runLoad(this.warehouse, spec.load, staged.files, now, async (result) => {
          record.load = result;
          await commit();
        });
      } finally {
        await release();
      }
    });
  }

  /** Registers a query job and schedules it; 409 `duplicate` if the id exists. */
  insertQuery(spec: QueryJobSpec): Job {
    return this.schedule(
      spec,
      'QUERY',
      spec.configuration,
      undefined,
      async (record, now, commit) => {
        await runQuery(this.warehouse, spec, now, async (stats) => {
          record.query = stats;
          await commit();
        });
      },
    );
  }

  /** A dry run: validated now, answered as a DONE job that is neither stored nor reserved. */
  async dryRun(spec: QueryJobSpec): Promise<Job> {
    const now = this.clock();
    const stats = await this.warehouse.exclusive(async () => {
      await this.catalog.dropExpired(now.getTime());
      return dryRunQuery(this.warehouse, spec, now);
    });
    const record: JobRecord = {
      reference: spec,
      jobType: 'QUERY',
      configuration: spec.configuration,
      state: 'DONE',
      creationTime: now.getTime(),
      query: stats,
      done: Promise.resolve(),
    };
    return renderJob(record, this.baseUrl());
  }

  private schedule(
    reference: JobReference,
    jobType: JobType,
    configuration: Record<string, unknown>,
    cleanup: (() => Promise<void>) | undefined,
    execute: Execute,
  ): Job {
    this.assertNew(reference);
    const { projectId, jobId, location } = reference;
    const id = key(projectId, jobId);
    const record: JobRecord = {
      reference: { projectId, jobId, location },
      jobType,
      configuration,
      state: 'PENDING',
      creationTime: this.clock().getTime(),
      done: Promise.resolve(),
    };
    const finish = async () => {
      record.endTime = this.clock().getTime();
      record.state = 'DONE';
      await this.warehouse.saveJob(projectId, jobId, renderJob(record, this.baseUrl()));
    };
    record.done = this.warehouse
      .exclusive(async () => {
        record.state = 'RUNNING';
        const started = this.clock();
        record.startTime = started.getTime();
        try {
          // Expired tables go before the job can see them.
          await this.catalog.dropExpired(started.getTime());
          await execute(record, started, async () => {
            // Tables the job created get their dataset's default expiration.
            await this.catalog.adoptNewTables(started.getTime());
            await finish();
          });
        } catch (error) {
          record.load = undefined;
          record.query = undefined;
          record.failure = failureOf(error);
          await finish();
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
    return renderJob(record, this.baseUrl());
  }

  /** The job, or 404 `notFound` (also when `location` is given and differs). */
  get(projectId: string, jobId: string, location?: string): Job {
    const record = this.jobs.get(key(projectId, jobId));
    const job = record
      ? renderJob(record, this.baseUrl())
      : this.finished.get(key(projectId, jobId));
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
    return renderJob(record, this.baseUrl());
  }

  /** Every job's completion (used by close). */
  async settled(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((r) => r.done));
  }
}
