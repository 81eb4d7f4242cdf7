/**
 * One object → one decision: a load plan, or a reason it is ignored or refused. Pure: the
 * runtime project arrives in `ctx`; nothing here reads the clock, the env or the network.
 * The checks run cheapest and most fundamental first, so the reason is the root cause.
 */

import { type OverrideKey, ROUTE_FORMATS } from '../config/schema';
import { gsUri } from '../core/gs-uri';
import { type ObjectGeneration, objectJobId } from '../core/job-id';
import { BUCKET_LABEL, labelValue, ROUTE_LABEL } from '../core/labels';
import { OWN_PREFIX } from '../core/object-name';
import { snapshotName, snapshotNameProblem } from '../core/snapshot';
import type { JobConfigurationLoad, LoadJob, LoadPlan, ObjectRef, RouteDecision } from '../types';
import type { CompiledRoute, CompiledRules } from './compile';
import { inferFormat } from './format';
import {
  applyDispositionOverrides,
  loadConfiguration,
  type Overrides,
  refused,
  resolveDestination,
  routeLoadOptions,
  type Step,
} from './load-options';
import { matchRoute, type RouteMatch } from './match';
import { type StagingSpec, stagedFormatProblem, stageLoad, stagingSpec } from './staging';

export interface PlanContext {
  /** The project the function runs in: billed when the rules name no `project`. */
  runtimeProject: string;
}

/** The project billed for jobs: the rules' `project`, else the function's own. */
export function billingProject(rules: CompiledRules, ctx: PlanContext): string {
  return rules.config.project ?? ctx.runtimeProject;
}

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
  /** The route's `snapshot` option (per-object plans only). */
  snapshot?: boolean;
  /** Staged routes: how the rows reach `load.destinationTable` (staging.ts). */
  staged?: StagingSpec;
}

export function planObjectLoad(
  rules: CompiledRules,
  object: ObjectRef,
  ctx: PlanContext,
): RouteDecision {
  const target = resolveObjectLoad(rules, object, ctx);
  if (target.kind !== 'target') return target;
  const uri = gsUri(object);
  const jobId = objectJobId({
    bucket: object.bucket,
    name: object.name,
    generation: object.generation,
    route: target.route,
  });
  const { projectId, location } = target;
  const snapshot = target.snapshot ? snapshotOf(object, jobId) : undefined;
  if (typeof snapshot === 'string') {
    return { kind: 'refused', reason: `${uri}: ${snapshot}`, route: target.route };
  }
  const staging = target.staged ? stageLoad(target.load, target.staged, jobId) : undefined;
  const job: LoadJob = {
    jobReference: { projectId, jobId, location },
    configuration: {
      load: {
        ...(staging?.load ?? target.load),
        sourceUris: [snapshot ? gsUri(snapshot.target) : uri],
      },
      labels: target.labels,
    },
  };
  return {
    kind: 'load',
    plan: {
      route: target.route,
      projectId,
      location,
      jobId,
      job,
      object: uri,
      ...(snapshot ? { snapshot } : {}),
      ...(staging ? { staged: staging.staged } : {}),
    },
  };
}

/** Where snapshot mode copies the object for job `jobId` (same bucket), or why it cannot. */
export function snapshotOf(
  object: ObjectGeneration,
  jobId: string,
): NonNullable<LoadPlan['snapshot']> | string {
  const problem = snapshotNameProblem(jobId, object.name);
  if (problem) return problem;
  const { bucket, name, generation } = object;
  return {
    source: { bucket, name, generation },
    target: { bucket, name: snapshotName(jobId, name) },
  };
}

type NoLoad = Exclude<RouteDecision, { kind: 'load' }>;

/** The route and load options for one object, or why it is ignored or refused. */
export function resolveObjectLoad(
  rules: CompiledRules,
  object: ObjectRef,
  ctx: PlanContext,
): ObjectLoadTarget | NoLoad {
  const unfit = objectProblem(rules, object);
  if (unfit) return { kind: 'refused', reason: unfit };
  if (object.name.startsWith(OWN_PREFIX)) {
    return { kind: 'ignored', reason: `${gsUri(object)} is bq-autoloader's own (a sweep lease)` };
  }
  const found = matchRoute(rules, object);
  if (!found) return { kind: 'ignored', reason: `no route matched ${gsUri(object)}` };
  const configured = routeConfiguration(rules, found, object, ctx);
  if (!configured.ok)
    return { kind: 'refused', reason: configured.reason, route: found.route.name };
  const projectId = billingProject(rules, ctx);
  const staged = stagingSpec(rules, found.route, configured.value, projectId);
  const rescue = stagedFormatProblem(staged, configured.value, object);
  if (rescue) return { kind: 'refused', reason: rescue, route: found.route.name };
  return {
    kind: 'target',
    route: found.route.name,
    projectId,
    location: rules.config.location,
    load: configured.value,
    ...(staged ? { staged } : {}),
    labels: {
      [ROUTE_LABEL]: labelValue(found.route.name),
      [BUCKET_LABEL]: labelValue(object.bucket),
    },
    ...(found.route.config.snapshot ? { snapshot: true } : {}),
  };
}

/** Why no route may take this object at all (checked before matching), or undefined. */
function objectProblem(rules: CompiledRules, object: ObjectRef): string | undefined {
  const uri = gsUri(object);
  if (object.size === 0) return `${uri} is a zero-byte object`;
  if (object.name.endsWith('/')) return `${uri} is a folder placeholder (name ends with "/")`;
  if (object.name.includes('*')) {
    return `${uri}: the name contains "*", which a BigQuery source URI reads as a wildcard`;
  }
  if (!rules.allowBucket(object.bucket)) return `bucket "${object.bucket}" is not in allow.buckets`;
  return undefined;
}

/** The matched route's load configuration for the object (sourceUris aside). */
function routeConfiguration(
  rules: CompiledRules,
  { route, captures }: RouteMatch,
  object: ObjectRef,
  ctx: PlanContext,
): Step<JobConfigurationLoad> {
  const overrides = metadataOverrides(route, object);
  const destination = resolveDestination(rules, route, {
    template: {
      captures,
      bucket: object.bucket,
      name: object.name,
      route: route.name,
      generation: object.generation,
      timeCreated: object.timeCreated,
    },
    defaultProject: billingProject(rules, ctx),
    overrides,
    overridesFrom: 'object metadata',
  });
  if (!destination.ok) return destination;
  const load = routeLoadOptions(rules, route);
  const format = objectFormat(route, load, overrides, object);
  if (!format.ok) return format;
  const dispositions = applyDispositionOverrides(load, overrides, 'object metadata');
  if (!dispositions.ok) return dispositions;
  const { sourceFormat, implied } = format.value;
  return {
    ok: true,
    value: loadConfiguration(route, load, sourceFormat, destination.value, implied),
  };
}

/** The object metadata the route lets change its load (`overrides: [bq-table, ...]`). */
function metadataOverrides(route: CompiledRoute, object: ObjectRef): Overrides {
  const overrides = new Map<OverrideKey, string>();
  for (const key of route.config.overrides ?? []) {
    const value = object.metadata[key];
    if (value !== undefined) overrides.set(key, value);
  }
  return overrides;
}

/**
 * The source format: the object's override (when the route allows it), the route's format,
 * a sourceFormat in load options, then the extension. What the extension implies (`.tsv` →
 * tab) sits under everything the rules say.
 */
function objectFormat(
  route: CompiledRoute,
  load: Record<string, unknown>,
  overrides: Overrides,
  object: ObjectRef,
): Step<{ sourceFormat: string; implied: Record<string, unknown> }> {
  const formatOverride = overrides.get('bq-format');
  if (
    formatOverride !== undefined &&
    !(ROUTE_FORMATS as readonly string[]).includes(formatOverride)
  ) {
    return refused(
      `object metadata bq-format "${formatOverride}" is not one of ${ROUTE_FORMATS.join(', ')}`,
    );
  }
  const inferred = inferFormat(object.name);
  const sourceFormat =
    formatOverride ??
    route.config.format ??
    (load.sourceFormat as string | undefined) ??
    inferred?.sourceFormat;
  if (sourceFormat === undefined) {
    return refused(
      `cannot infer the format of ${gsUri(object)} from its extension; set the route's format`,
    );
  }
  const implied = inferred?.sourceFormat === sourceFormat ? inferred.options : {};
  return { ok: true, value: { sourceFormat, implied } };
}
