/**
 * BigQuery job-completion events: Cloud Audit Logs entries delivered by Eventarc as
 * `google.cloud.audit.log.v1.written` CloudEvents (serviceName `bigquery.googleapis.com`,
 * methodName `google.cloud.bigquery.v2.JobService.InsertJob`). The entry's
 * `protoPayload.metadata` is a BigQueryAuditMetadata with `jobChange` (a state change,
 * `after: DONE` when the job finished) or `jobInsertion` (a job that may already be DONE).
 * The legacy format (AuditData, methodName `jobservice.jobcompleted`, still what many
 * existing log sinks deliver) names the job in `protoPayload.serviceData.jobCompletedEvent`.
 * Only this loader's jobs count: the `bqal_` id prefix or the `bq-autoloader-route` label.
 * The event only says *which* job finished; the handler reads the job itself (jobs.get),
 * which also has the output rows the audit entry lacks.
 * https://cloud.google.com/eventarc/docs/reference/supported-events#cloud-audit-logs
 * https://cloud.google.com/bigquery/docs/reference/auditlogs/rest/Shared.Types/BigQueryAuditMetadata
 * https://github.com/googleapis/google-cloudevents/blob/main/proto/google/events/cloud/audit/v1/data.proto
 * https://cloud.google.com/bigquery/docs/reference/auditlogs/rest/Shared.Types/AuditData
 */
import * as z from 'zod';
import { JOB_ID_PREFIX } from '../core/job-id';
import { ROUTE_LABEL } from '../core/labels';
import type { DecodedEvent } from '../types';
import type { CloudEvent } from './cloudevent';
import { describeIssues } from './reasons';

export const AUDIT_LOG_WRITTEN = 'google.cloud.audit.log.v1.written';
export const BIGQUERY_SERVICE = 'bigquery.googleapis.com';
export const INSERT_JOB_METHOD = 'google.cloud.bigquery.v2.JobService.InsertJob';
export const LEGACY_COMPLETED_METHOD = 'jobservice.jobcompleted';

/** `projects/<projectId>/jobs/<jobId>` (BigQueryAuditMetadata.Job.jobName). */
const JOB_NAME = /^projects\/([^/]+)\/jobs\/([A-Za-z0-9_-]{1,1024})$/;

const AuditJobSchema = z.object({
  jobName: z.string().regex(JOB_NAME, 'expected projects/PROJECT/jobs/JOB_ID'),
  jobConfig: z.object({ labels: z.record(z.string(), z.string()).optional() }).optional(),
  jobStatus: z.object({ jobState: z.string().optional() }).optional(),
});

/** AuditData's Job (legacy format): the name is an object, the state `jobStatus.state`. */
const LegacyJobSchema = z.object({
  jobName: z.object({
    projectId: z.string().min(1),
    jobId: z.string().regex(/^[A-Za-z0-9_-]{1,1024}$/, 'expected a job id'),
    location: z.string().optional(),
  }),
  jobConfiguration: z.object({ labels: z.record(z.string(), z.string()).optional() }).optional(),
  jobStatus: z.object({ state: z.string().optional() }).optional(),
});

/** The parts of LogEntryData this decoder reads; everything else passes untouched. */
const LogEntryDataSchema = z.object({
  protoPayload: z.object({
    serviceName: z.string(),
    methodName: z.string(),
    metadata: z
      .object({
        jobChange: z.object({ after: z.string().optional(), job: AuditJobSchema }).optional(),
        jobInsertion: z.object({ job: AuditJobSchema }).optional(),
      })
      .optional(),
    serviceData: z
      .object({ jobCompletedEvent: z.object({ job: LegacyJobSchema }).optional() })
      .optional(),
  }),
  resource: z.object({ labels: z.record(z.string(), z.string()).optional() }).optional(),
});

export function decodeJobCompletedEvent(event: CloudEvent): DecodedEvent {
  const parsed = LogEntryDataSchema.safeParse(event.data);
  if (!parsed.success) {
    return {
      kind: 'refused',
      reason: `invalid ${AUDIT_LOG_WRITTEN} event: ${describeIssues(parsed.error, 'data')}`,
    };
  }
  const { protoPayload } = parsed.data;
  if (protoPayload.serviceName === BIGQUERY_SERVICE) {
    if (protoPayload.methodName === INSERT_JOB_METHOD) return fromAuditMetadata(parsed.data);
    if (protoPayload.methodName === LEGACY_COMPLETED_METHOD) return fromAuditData(parsed.data);
  }
  return {
    kind: 'ignored',
    reason: `audit log entry ${protoPayload.serviceName} ${protoPayload.methodName.slice(0, 200)} is not a BigQuery job`,
  };
}

type LogEntryData = z.infer<typeof LogEntryDataSchema>;

/** BigQueryAuditMetadata: a jobChange to DONE, or a jobInsertion already DONE. */
function fromAuditMetadata({ protoPayload, resource }: LogEntryData): DecodedEvent {
  const change = protoPayload.metadata?.jobChange;
  const job = change?.job ?? protoPayload.metadata?.jobInsertion?.job;
  if (!job) return { kind: 'ignored', reason: 'audit log entry names no job' };
  const [, projectId, jobId] = JOB_NAME.exec(job.jobName) as unknown as [string, string, string];
  const state = change?.after ?? job.jobStatus?.jobState;
  return finishedJob(projectId, jobId, job.jobConfig?.labels, state, resource?.labels?.location);
}

/** AuditData (legacy): a jobCompletedEvent. */
function fromAuditData({ protoPayload, resource }: LogEntryData): DecodedEvent {
  const job = protoPayload.serviceData?.jobCompletedEvent?.job;
  if (!job) return { kind: 'ignored', reason: 'audit log entry names no job' };
  const { projectId, jobId, location } = job.jobName;
  const labels = job.jobConfiguration?.labels;
  return finishedJob(
    projectId,
    jobId,
    labels,
    job.jobStatus?.state,
    location ?? resource?.labels?.location,
  );
}

function finishedJob(
  projectId: string,
  jobId: string,
  labels: Record<string, string> | undefined,
  state: string | undefined,
  location: string | undefined,
): DecodedEvent {
  const ours = jobId.startsWith(JOB_ID_PREFIX) || labels?.[ROUTE_LABEL] !== undefined;
  if (!ours) return { kind: 'ignored', reason: `job ${jobId} is not a bq-autoloader job` };
  if (state !== 'DONE') {
    return { kind: 'ignored', reason: `job ${jobId} is not finished (${state ?? 'no state'})` };
  }
  return { kind: 'job', job: { projectId, jobId, ...(location ? { location } : {}) } };
}
