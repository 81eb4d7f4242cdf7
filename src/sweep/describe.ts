/** How a sweep reports a job, and what it reads back from one. */
import type { LoadPlan } from '../types';
import type { SweepMember } from './members';
import type { SweepJob } from './summary';

export function describeJob(
  kind: SweepJob['kind'],
  plan: LoadPlan,
  members: SweepMember[],
): SweepJob {
  const t = plan.job.configuration.load.destinationTable;
  return {
    kind,
    jobId: plan.jobId,
    route: plan.route,
    destination: `${t.projectId}.${t.datasetId}.${t.tableId}`,
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
