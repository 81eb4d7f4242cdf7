/**
 * Staged loads (docs/transforms.md): a route with `transform`, `dedupe` or
 * `schemaEvolution: rescue` loads each file (or batch) into a staging table of its own, named
 * from the load job id, and a query job `<load id>_q` writes the rows into the destination.
 * Everything about both jobs is derived from the route and the load job id, so whoever
 * finishes the load (the in-process wait, a completion event, a sweep) plans the same query.
 * Pure.
 */
import { isStagedRoute } from '../config/staging-checks';
import { DEFAULT_STAGING_DATASET } from '../config/staging-schema';
import { gsUri } from '../core/gs-uri';
import { queryJobId, stagingTableId } from '../core/job-id';
import { withoutDecorator } from '../core/table-ref';
import type {
  JobConfigurationLoad,
  LoadPlan,
  ObjectRef,
  StagedWrite,
  TableReference,
} from '../types';
import type { CompiledRoute, CompiledRules } from './compile';

/** A staged route's write, before a load job id names its staging table and query. */
export type StagingSpec = Omit<StagedWrite, 'staging' | 'queryJobId'> & {
  /** Project and dataset of the staging tables. */
  stagingDataset: { projectId: string; datasetId: string };
};

/** Table options that belong to the destination, never to a staging table. */
const TABLE_OPTIONS = ['timePartitioning', 'rangePartitioning', 'clustering'] as const;

/** The route's staging spec for a load configured as `load` (final destination), or undefined. */
export function stagingSpec(
  rules: CompiledRules,
  route: CompiledRoute,
  load: JobConfigurationLoad,
  billingProject: string,
): StagingSpec | undefined {
  const config = route.config;
  if (!isStagedRoute(config)) return undefined;
  const options: Record<string, unknown> = {};
  for (const key of TABLE_OPTIONS) if (load[key] !== undefined) options[key] = load[key];
  const schema = config.schema && config.schema !== 'autodetect' ? config.schema : undefined;
  const { dedupe } = config;
  return {
    destination: withoutDecorator(load.destinationTable),
    ...(config.transform ? { transform: config.transform } : {}),
    ...(dedupe
      ? {
          dedupe: {
            key: dedupe.key,
            keep: dedupe.keep,
            ...(dedupe.order_by ? { orderBy: dedupe.order_by } : {}),
          },
        }
      : {}),
    ...(config.schemaEvolution ? { schemaEvolution: config.schemaEvolution } : {}),
    ...(load.createDisposition === 'CREATE_NEVER'
      ? {}
      : { create: { ...(schema ? { schema } : {}), options } }),
    stagingDataset: stagingDataset(rules.config.staging?.dataset, billingProject),
  };
}

/** The rules' staging dataset (`staging.dataset`, default bq_autoloader_staging in the billing project). */
export function stagingDataset(
  configured: string | undefined,
  billingProject: string,
): StagingSpec['stagingDataset'] {
  const text = configured ?? DEFAULT_STAGING_DATASET;
  const dot = text.lastIndexOf('.');
  if (dot < 0) return { projectId: billingProject, datasetId: text };
  return { projectId: text.slice(0, dot), datasetId: text.slice(dot + 1) };
}

/**
 * The load job's configuration and the staged write for load job `jobId`: the load goes to
 * a fresh staging table (created, truncated: nothing else writes it), without the
 * destination's table options. With a transform, `evolve` or `rescue` it reads every column
 * of the file (autodetect): the query decides what the table gets.
 */
export function stageLoad(
  load: JobConfigurationLoad,
  spec: StagingSpec,
  jobId: string,
): { load: JobConfigurationLoad; staged: StagedWrite } {
  const { stagingDataset: dataset, ...write } = spec;
  const staging: TableReference = { ...dataset, tableId: stagingTableId(jobId) };
  const staged: StagedWrite = { ...write, staging, queryJobId: queryJobId(jobId) };
  const stagingLoad: JobConfigurationLoad = {
    ...load,
    destinationTable: staging,
    writeDisposition: 'WRITE_TRUNCATE',
    createDisposition: 'CREATE_IF_NEEDED',
  };
  for (const key of [...TABLE_OPTIONS, 'schemaUpdateOptions', 'destinationTableProperties']) {
    delete stagingLoad[key];
  }
  // `schema:` is the destination's. A transform reads the file's own columns (its SELECT
  // renames and casts them), and evolve and rescue need every column of the file.
  if (spec.transform || spec.schemaEvolution === 'evolve' || spec.schemaEvolution === 'rescue') {
    delete stagingLoad.schema;
    stagingLoad.autodetect = true;
  }
  return { load: stagingLoad, staged };
}

/**
 * `plan` as load job `jobId` (an attempt, or the batch a member was loaded in): a staged
 * plan's staging table and query are named from the load id, so they move with it.
 */
export function restage(plan: LoadPlan, jobId: string): LoadPlan {
  const jobReference = { ...plan.job.jobReference, jobId };
  const moved = { ...plan, jobId, job: { ...plan.job, jobReference } };
  if (!plan.staged) return moved;
  const staging = { ...plan.staged.staging, tableId: stagingTableId(jobId) };
  const load = { ...plan.job.configuration.load, destinationTable: staging };
  return {
    ...moved,
    job: { jobReference, configuration: { ...plan.job.configuration, load } },
    staged: { ...plan.staged, staging, queryJobId: queryJobId(jobId) },
  };
}

/** `rescue` reads rows by column name: only NDJSON and CSV (the format may come from the name). */
export function stagedFormatProblem(
  staged: StagingSpec | undefined,
  load: JobConfigurationLoad,
  object: ObjectRef,
): string | undefined {
  if (staged?.schemaEvolution !== 'rescue') return undefined;
  if (load.sourceFormat === 'NEWLINE_DELIMITED_JSON' || load.sourceFormat === 'CSV')
    return undefined;
  return `${gsUri(object)}: schemaEvolution rescue reads NEWLINE_DELIMITED_JSON or CSV files, not ${load.sourceFormat}`;
}

/** Where a plan's rows end up: a staged load's destination, not its staging table. */
export function finalDestination(plan: LoadPlan): TableReference {
  return plan.staged?.destination ?? plan.job.configuration.load.destinationTable;
}
