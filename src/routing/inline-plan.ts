/**
 * Inline data → one load plan for the Upload URI. Pure. The route is named in the message
 * attributes; it supplies destination, format and schema. Attributes may change only what
 * the route lists in `overrides` (the same keys as object metadata: `bq-table`, ...).
 * The job id is derived from topic + message id + route, so a redelivered message (same
 * message id) gets 409 `duplicate` from BigQuery instead of loading twice.
 */
import { createHash } from 'node:crypto';
import { CREATE_DISPOSITIONS, WRITE_DISPOSITIONS } from '../config/load-fields';
import type { OverrideKey } from '../config/schema';
import { JOB_ID_PREFIX } from '../core/job-id';
import { labelValue, ROUTE_LABEL } from '../core/labels';
import type { InlineData, JobConfigurationLoad, LoadJob, RouteDecision } from '../types';
import type { CompiledRules } from './compile';
import { destinationProblem, toTableReference, withDestinationOverrides } from './destination';
import type { PlanContext } from './plan';
import { namedRoute } from './request-plan';

/** Label naming the topic an inline load came from (its last segment). */
export const TOPIC_LABEL = 'bq-autoloader-topic';

export interface InlineSource {
  topic: string;
  messageId: string;
  publishTime?: string;
}

/** `bqal_<route>_inline_<sha256 hex>` over topic, message id and route. */
export function inlineJobId(topic: string, messageId: string, route: string): string {
  const input = JSON.stringify(['inline-v1', topic, messageId, route]);
  const digest = createHash('sha256').update(input, 'utf8').digest('hex');
  return `${JOB_ID_PREFIX}${route.replace(/[^A-Za-z0-9_-]/g, '_')}_inline_${digest}`;
}

export function planInlineLoad(
  rules: CompiledRules,
  inline: InlineData,
  source: InlineSource,
  ctx: PlanContext,
): RouteDecision {
  const named = namedRoute(rules, inline.route, 'inline');
  if ('problem' in named) return { kind: 'refused', reason: named.problem, route: inline.route };
  const { route } = named;
  const refuse = (reason: string): RouteDecision => ({
    kind: 'refused',
    reason,
    route: route.name,
  });
  const allowed = new Set<OverrideKey>(route.config.overrides ?? []);
  const overrides = new Map<OverrideKey, string>();
  for (const [key, value] of Object.entries(inline.attributes)) {
    if (!key.startsWith('bq-')) continue;
    if (!allowed.has(key as OverrideKey)) {
      return refuse(`attribute ${key} is not in the overrides of route "${route.name}"`);
    }
    overrides.set(key as OverrideKey, value);
  }

  const rendered = route.destination.render({
    captures: {},
    bucket: '',
    name: '',
    route: route.name,
    generation: source.messageId,
    timeCreated: source.publishTime,
  });
  if (!rendered.ok) {
    return refuse(`destination "${route.destination.source}" for inline data: ${rendered.reason}`);
  }
  const parts = withDestinationOverrides(
    {
      ...rendered.parts,
      project: rendered.parts.project ?? rules.config.project ?? ctx.runtimeProject,
    },
    overrides,
  );
  const problem = destinationProblem(parts);
  if (problem) return refuse(`destination "${route.destination.source}": ${problem}`);
  if (!rules.allowDestination(parts.project, parts.dataset, parts.table)) {
    return refuse(
      `destination ${parts.project}.${parts.dataset}.${parts.table} is not in allow.destinations`,
    );
  }

  const load: Record<string, unknown> = { ...rules.config.defaults, ...route.config.load };
  // The `format` attribute describes the bytes (like a file extension): it applies when the
  // route fixes no format, or when the route lets it be overridden (`bq-format`).
  const fixed = route.config.format ?? (load.sourceFormat as string | undefined);
  const requested = overrides.get('bq-format') ?? inline.format;
  if (
    fixed !== undefined &&
    requested !== undefined &&
    requested !== fixed &&
    !allowed.has('bq-format')
  ) {
    return refuse(
      `format ${requested} differs from route "${route.name}"'s ${fixed} and the route does not list bq-format in overrides`,
    );
  }
  const sourceFormat = allowed.has('bq-format') ? (requested ?? fixed) : (fixed ?? requested);
  if (sourceFormat === undefined) {
    return refuse(`no format: set the message's format attribute or the route's format`);
  }
  for (const [key, field, values] of [
    ['bq-write-disposition', 'writeDisposition', WRITE_DISPOSITIONS],
    ['bq-create-disposition', 'createDisposition', CREATE_DISPOSITIONS],
  ] as const) {
    const value = overrides.get(key);
    if (value === undefined) continue;
    if (!(values as readonly string[]).includes(value)) {
      return refuse(`attribute ${key} "${value}" is not one of ${values.join(', ')}`);
    }
    load[field] = value;
  }

  const schema = route.config.schema;
  const configuration: JobConfigurationLoad = {
    ...load,
    ...(schema === 'autodetect' ? { autodetect: true } : schema ? { schema } : {}),
    sourceFormat,
    destinationTable: toTableReference(parts),
  };
  const jobId = inlineJobId(source.topic, source.messageId, route.name);
  const projectId = rules.config.project ?? ctx.runtimeProject;
  const location = rules.config.location;
  const job: LoadJob = {
    jobReference: { projectId, jobId, location },
    configuration: {
      load: configuration,
      labels: {
        [ROUTE_LABEL]: labelValue(route.name),
        [TOPIC_LABEL]: labelValue(source.topic.slice(source.topic.lastIndexOf('/') + 1)),
      },
    },
  };
  return {
    kind: 'load',
    plan: {
      route: route.name,
      projectId,
      location,
      jobId,
      job,
      object: `pubsub://${source.topic}/messages/${source.messageId}`,
    },
  };
}
