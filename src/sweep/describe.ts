/** How a sweep reports a job, and what it reads back from one. */
import { formatTableReference } from '../core/table-ref';
import { finalDestination } from '../routing/staging';
import type { LoadPlan, TableReference } from '../types';
import type { SweepMember } from './members';
import type { SweepJob } from './summary';

/** What a summary says about a job, all known before its (possibly 10,000-URI) plan is built. */
export interface JobHead {
  route: string;
  jobId: string;
  destinationTable: TableReference;
}

export function headOf(plan: LoadPlan): JobHead {
  const { route, jobId } = plan;
  return { route, jobId, destinationTable: finalDestination(plan) };
}

export function describeJob(
  kind: SweepJob['kind'],
  head: JobHead,
  members: SweepMember[],
): SweepJob {
  return {
    kind,
    jobId: head.jobId,
    route: head.route,
    destination: formatTableReference(head.destinationTable),
    files: members.length,
    bytes: members.reduce((n, m) => n + m.size, 0),
    outcome: 'planned',
  };
}

/** The URIs a load job reads, or undefined when the job does not list them. */
export function jobSources(job: unknown): Set<string> | undefined {
  const uris = (job as { configuration?: { load?: { sourceUris?: unknown } } } | undefined)
    ?.configuration?.load?.sourceUris;
  return Array.isArray(uris) ? new Set(uris.filter((u) => typeof u === 'string')) : undefined;
}
