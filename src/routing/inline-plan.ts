/**
 * Inline data → one load plan for the Upload URI. Pure. The route is named in the message
 * attributes; it supplies destination, format and schema. Attributes may change only what
 * the route lists in `overrides` (the same keys as object metadata: `bq-table`, ...).
 * The job id is derived from topic + message id + route, so a redelivered message (same
 * message id) gets 409 `duplicate` from BigQuery instead of loading twice.
 */
import type { OverrideKey } from '../config/schema';
import { inlineJobId } from '../core/job-id';
import { labelValue, ROUTE_LABEL } from '../core/labels';
import type { InlineData, JobConfigurationLoad, LoadJob, LoadPlan, RouteDecision } from '../types';
import type { CompiledRoute, CompiledRules } from './compile';
import {
  applyDispositionOverrides,
  loadConfiguration,
  type Overrides,
  refused,
  resolveDestination,
  routeLoadOptions,
  type Step,
} from './load-options';
import { billingProject, type PlanContext } from './plan';
import { namedRoute } from './request-plan';

/** Label naming the topic an inline load came from (its last segment). */
export const TOPIC_LABEL = 'bq-autoloader-topic';

export interface InlineSource {
  topic: string;
  messageId: string;
  publishTime?: string;
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
  const configured = inlineConfiguration(rules, route, inline, source, ctx);
  if (!configured.ok) return { kind: 'refused', reason: configured.reason, route: route.name };
  return { kind: 'load', plan: inlinePlan(rules, route, source, configured.value, ctx) };
}

/** The route's load configuration for the message, attributes applied. */
function inlineConfiguration(
  rules: CompiledRules,
  route: CompiledRoute,
  inline: InlineData,
  source: InlineSource,
  ctx: PlanContext,
): Step<JobConfigurationLoad> {
  const overrides = attributeOverrides(route, inline.attributes);
  if (!overrides.ok) return overrides;
  const destination = resolveDestination(rules, route, {
    template: {
      captures: {},
      bucket: '',
      name: '',
      route: route.name,
      generation: source.messageId,
      timeCreated: source.publishTime,
    },
    defaultProject: billingProject(rules, ctx),
    overrides: overrides.value,
    renderNote: ' for inline data',
  });
  if (!destination.ok) return destination;
  const load = routeLoadOptions(rules, route);
  const sourceFormat = inlineFormat(route, load, overrides.value, inline.format);
  if (!sourceFormat.ok) return sourceFormat;
  const dispositions = applyDispositionOverrides(load, overrides.value, 'attribute');
  if (!dispositions.ok) return dispositions;
  return { ok: true, value: loadConfiguration(route, load, sourceFormat.value, destination.value) };
}

/** The `bq-` attributes, each of which the route must list in `overrides`. */
function attributeOverrides(
  route: CompiledRoute,
  attributes: Record<string, string>,
): Step<Overrides> {
  const allowed = new Set<string>(route.config.overrides ?? []);
  const overrides = new Map<OverrideKey, string>();
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith('bq-')) continue;
    if (!allowed.has(key)) {
      return refused(`attribute ${key} is not in the overrides of route "${route.name}"`);
    }
    overrides.set(key as OverrideKey, value);
  }
  return { ok: true, value: overrides };
}

/**
 * The `format` attribute describes the bytes (like a file extension): it applies when the
 * route fixes no format, or when the route lets it be overridden (`bq-format`).
 */
function inlineFormat(
  route: CompiledRoute,
  load: Record<string, unknown>,
  overrides: Overrides,
  format: string | undefined,
): Step<string> {
  const overridable = (route.config.overrides ?? []).includes('bq-format');
  const fixed = route.config.format ?? (load.sourceFormat as string | undefined);
  const requested = overrides.get('bq-format') ?? format;
  if (fixed !== undefined && requested !== undefined && requested !== fixed && !overridable) {
    return refused(
      `format ${requested} differs from route "${route.name}"'s ${fixed} and the route does not list bq-format in overrides`,
    );
  }
  const sourceFormat = overridable ? (requested ?? fixed) : (fixed ?? requested);
  if (sourceFormat === undefined) {
    return refused(`no format: set the message's format attribute or the route's format`);
  }
  return { ok: true, value: sourceFormat };
}

function inlinePlan(
  rules: CompiledRules,
  route: CompiledRoute,
  source: InlineSource,
  load: JobConfigurationLoad,
  ctx: PlanContext,
): LoadPlan {
  const jobId = inlineJobId(source.topic, source.messageId, route.name);
  const projectId = billingProject(rules, ctx);
  const location = rules.config.location;
  const job: LoadJob = {
    jobReference: { projectId, jobId, location },
    configuration: {
      load,
      labels: {
        [ROUTE_LABEL]: labelValue(route.name),
        [TOPIC_LABEL]: labelValue(source.topic.slice(source.topic.lastIndexOf('/') + 1)),
      },
    },
  };
  const object = `pubsub://${source.topic}/messages/${source.messageId}`;
  return { route: route.name, projectId, location, jobId, job, object };
}
