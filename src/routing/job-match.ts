/**
 * Whether a job BigQuery holds under a planned id is the job the plan describes. Job ids are
 * deterministic, so whoever may insert jobs in the project can compute one and insert a decoy
 * first (another destination, other sources): a 409 proves only that the id is taken. The
 * existing job's destination, sources and route label must be the plan's too. Pure.
 */
import { ROUTE_LABEL } from '../core/labels';
import { formatTableReference } from '../core/table-ref';
import type { LoadPlan, TableReference } from '../types';

interface JobShape {
  configuration?: {
    labels?: Record<string, string>;
    load?: { destinationTable?: Partial<TableReference>; sourceUris?: string[] };
  };
}

/** Why `job` is not the planned job, or undefined when it is. */
export function jobMismatch(job: unknown, plan: LoadPlan): string | undefined {
  const config = (job as JobShape | undefined)?.configuration;
  const planned = plan.job.configuration;
  const target = targetMismatch(job, plan);
  if (target) return target;
  const sources = [...(config?.load?.sourceUris ?? [])].sort();
  const plannedSources = [...(planned.load.sourceUris ?? [])].sort();
  if (sources.join('\n') !== plannedSources.join('\n')) {
    return `it reads other sources (${sources.slice(0, 3).join(', ') || 'none listed'})`;
  }
  return undefined;
}

/**
 * Why `job` does not load where the plan loads (destination, route label), sources aside:
 * for a sweep recovering a claim, whose job may hold fewer members than are claimed now.
 */
export function targetMismatch(job: unknown, plan: LoadPlan): string | undefined {
  const config = (job as JobShape | undefined)?.configuration;
  const planned = plan.job.configuration;
  const destination = config?.load?.destinationTable;
  if (!sameTable(destination, planned.load.destinationTable)) {
    return `it loads into ${describeTable(destination)}, not ${formatTableReference(planned.load.destinationTable)}`;
  }
  const route = config?.labels?.[ROUTE_LABEL];
  if (route !== planned.labels[ROUTE_LABEL]) {
    return `its ${ROUTE_LABEL} label is ${route ?? '(none)'}, not ${planned.labels[ROUTE_LABEL]}`;
  }
  return undefined;
}

/**
 * The same table, partition decorators aside (`sales$20261101` is `sales`): whether jobs.get
 * echoes a decorator back is not something to bet a genuine redelivery on.
 */
function sameTable(a: Partial<TableReference> | undefined, b: TableReference): boolean {
  const table = (id: string | undefined) => id?.split('$')[0];
  return (
    a?.projectId === b.projectId &&
    a?.datasetId === b.datasetId &&
    table(a?.tableId) === table(b.tableId)
  );
}

function describeTable(t: Partial<TableReference> | undefined): string {
  return t ? `${t.projectId}.${t.datasetId}.${t.tableId}` : 'no table';
}
