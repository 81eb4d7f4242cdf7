/**
 * One object → one decision: a load plan, or a reason it is ignored or refused. Pure: the
 * runtime project arrives in `ctx`; nothing here reads the clock, the env or the network.
 * The checks run cheapest and most fundamental first, so the reason is the root cause.
 */

import { CREATE_DISPOSITIONS, WRITE_DISPOSITIONS } from '../config/load-fields';
import { type OverrideKey, ROUTE_FORMATS } from '../config/schema';
import { objectJobId } from '../core/job-id';
import { BUCKET_LABEL, labelValue, ROUTE_LABEL } from '../core/labels';
import type { JobConfigurationLoad, LoadJob, ObjectRef, RouteDecision } from '../types';
import type { CompiledRules } from './compile';
import { destinationProblem, toTableReference, withDestinationOverrides } from './destination';
import { inferFormat } from './format';
import { matchRoute } from './match';

export interface PlanContext {
  /** The project the function runs in: billed when the rules name no `project`. */
  runtimeProject: string;
}

const DESTINATION_OVERRIDES: OverrideKey[] = [
  'bq-project',
  'bq-dataset',
  'bq-table',
  'bq-partition',
];

/**
 * What the rules decide for one object before a job id exists: the route, where the job runs
 * and its configuration without `sourceUris`. Shared by per-object plans (below) and batch
 * plans (batch-plan.ts), so both load an object with exactly the same options.
 */
export interface ObjectLoadTarget {
  kind: 'target';
  route: string;
  projectId: string;
  location: string;
  load: JobConfigurationLoad;
  labels: Record<string, string>;
}

export function planObjectLoad(
  rules: CompiledRules,
  object: ObjectRef,
  ctx: PlanContext,
): RouteDecision {
  const target = resolveObjectLoad(rules, object, ctx);
  if (target.kind !== 'target') return target;
  const uri = `gs://${object.bucket}/${object.name}`;
  const jobId = objectJobId({
    bucket: object.bucket,
    name: object.name,
    generation: object.generation,
    route: target.route,
  });
  const { projectId, location } = target;
  const job: LoadJob = {
    jobReference: { projectId, jobId, location },
    configuration: {
      load: { ...target.load, sourceUris: [uri] },
      labels: target.labels,
    },
  };
  return {
    kind: 'load',
    plan: { route: target.route, projectId, location, jobId, job, object: uri },
  };
}

type NoLoad = Exclude<RouteDecision, { kind: 'load' }>;

/** The route and load options for one object, or why it is ignored or refused. */
export function resolveObjectLoad(
  rules: CompiledRules,
  object: ObjectRef,
  ctx: PlanContext,
): ObjectLoadTarget | NoLoad {
  const uri = `gs://${object.bucket}/${object.name}`;
  if (object.size === 0) return { kind: 'refused', reason: `${uri} is a zero-byte object` };
  if (object.name.endsWith('/')) {
    return { kind: 'refused', reason: `${uri} is a folder placeholder (name ends with "/")` };
  }
  if (object.name.includes('*')) {
    return {
      kind: 'refused',
      reason: `${uri}: the name contains "*", which a BigQuery source URI reads as a wildcard`,
    };
  }
  if (!rules.allowBucket(object.bucket)) {
    return { kind: 'refused', reason: `bucket "${object.bucket}" is not in allow.buckets` };
  }
  const found = matchRoute(rules, object);
  if (!found) return { kind: 'ignored', reason: `no route matched ${uri}` };
  const { route, captures } = found;
  const refuse = (reason: string): NoLoad => ({
    kind: 'refused',
    reason,
    route: route.name,
  });

  const overrides = new Map<OverrideKey, string>();
  for (const key of route.config.overrides ?? []) {
    const value = object.metadata[key];
    if (value !== undefined) overrides.set(key, value);
  }

  const rendered = route.destination.render({
    captures,
    bucket: object.bucket,
    name: object.name,
    route: route.name,
    generation: object.generation,
    timeCreated: object.timeCreated,
  });
  if (!rendered.ok) return refuse(`destination "${route.destination.source}": ${rendered.reason}`);
  const parts = withDestinationOverrides(
    {
      ...rendered.parts,
      project: rendered.parts.project ?? rules.config.project ?? ctx.runtimeProject,
    },
    overrides,
  );
  const problem = destinationProblem(parts);
  if (problem) {
    const from = [...overrides.keys()].filter((k) => DESTINATION_OVERRIDES.includes(k));
    const note = from.length > 0 ? ` (object metadata ${from.join(', ')} applied)` : '';
    return refuse(`destination "${route.destination.source}": ${problem}${note}`);
  }
  if (!rules.allowDestination(parts.project, parts.dataset, parts.table)) {
    return refuse(
      `destination ${parts.project}.${parts.dataset}.${parts.table} is not in allow.destinations`,
    );
  }

  const load: Record<string, unknown> = {
    ...rules.config.defaults,
    ...route.config.load,
  };
  const formatOverride = overrides.get('bq-format');
  if (
    formatOverride !== undefined &&
    !(ROUTE_FORMATS as readonly string[]).includes(formatOverride)
  ) {
    return refuse(
      `object metadata bq-format "${formatOverride}" is not one of ${ROUTE_FORMATS.join(', ')}`,
    );
  }
  const inferred = inferFormat(object.name);
  // Precedence: the object's override (when the route allows it), the route's format, a
  // sourceFormat in load options, then the extension.
  const sourceFormat =
    formatOverride ??
    route.config.format ??
    (load.sourceFormat as string | undefined) ??
    inferred?.sourceFormat;
  if (sourceFormat === undefined) {
    return refuse(`cannot infer the format of ${uri} from its extension; set the route's format`);
  }
  // What the extension implies (`.tsv` → tab) sits under everything the rules say.
  const implied = inferred?.sourceFormat === sourceFormat ? inferred.options : {};
  for (const [key, field, allowed] of [
    ['bq-write-disposition', 'writeDisposition', WRITE_DISPOSITIONS],
    ['bq-create-disposition', 'createDisposition', CREATE_DISPOSITIONS],
  ] as const) {
    const value = overrides.get(key);
    if (value === undefined) continue;
    if (!(allowed as readonly string[]).includes(value)) {
      return refuse(`object metadata ${key} "${value}" is not one of ${allowed.join(', ')}`);
    }
    load[field] = value;
  }

  const schema = route.config.schema;
  const configuration: JobConfigurationLoad = {
    ...implied,
    ...load,
    ...(schema === 'autodetect' ? { autodetect: true } : schema ? { schema } : {}),
    sourceFormat,
    destinationTable: toTableReference(parts),
  };
  return {
    kind: 'target',
    route: route.name,
    projectId: rules.config.project ?? ctx.runtimeProject,
    location: rules.config.location,
    load: configuration,
    labels: { [ROUTE_LABEL]: labelValue(route.name), [BUCKET_LABEL]: labelValue(object.bucket) },
  };
}
