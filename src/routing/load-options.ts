/**
 * The steps an object plan (plan.ts) and an inline plan (inline-plan.ts) share once they
 * know the route: its destination with overrides applied and checked, its load options, the
 * disposition overrides and the final load configuration. Each step answers a value or the
 * reason the input is refused.
 */
import { CREATE_DISPOSITIONS, WRITE_DISPOSITIONS } from '../config/load-fields';
import type { OverrideKey } from '../config/schema';
import { isStagedRoute } from '../config/staging-checks';
import { formatTableName, type TableName, toTableReference } from '../core/table-ref';
import type { JobConfigurationLoad } from '../types';
import type { CompiledRoute, CompiledRules } from './compile';
import { destinationProblem, withDestinationOverrides } from './destination';
import type { TemplateContext } from './template';

export type Step<T> = { ok: true; value: T } | { ok: false; reason: string };

export type Overrides = ReadonlyMap<OverrideKey, string>;
export type Destination = TableName & { project: string };

const DESTINATION_OVERRIDES: OverrideKey[] = [
  'bq-project',
  'bq-dataset',
  'bq-table',
  'bq-partition',
];

export interface DestinationInput {
  template: TemplateContext;
  /** The project when neither the template nor an override names one. */
  defaultProject: string;
  overrides: Overrides;
  /** Follows the route's destination in a render failure (` for inline data`). */
  renderNote?: string;
  /** Where overrides came from, named when an overridden identifier is invalid. */
  overridesFrom?: string;
}

/** The rendered destination with overrides applied, checked for identifiers and allowlists. */
export function resolveDestination(
  rules: CompiledRules,
  route: CompiledRoute,
  input: DestinationInput,
): Step<Destination> {
  const source = route.destination.source;
  const rendered = route.destination.render(input.template);
  if (!rendered.ok) {
    return refused(`destination "${source}"${input.renderNote ?? ''}: ${rendered.reason}`);
  }
  const project = rendered.parts.project ?? input.defaultProject;
  const parts = withDestinationOverrides({ ...rendered.parts, project }, input.overrides);
  const problem = destinationProblem(parts);
  if (problem) {
    return refused(`destination "${source}": ${problem}${appliedNote(input)}`);
  }
  if (!rules.allowDestination(parts.project, parts.dataset, parts.table)) {
    return refused(`destination ${formatTableName(parts)} is not in allow.destinations`);
  }
  return { ok: true, value: parts };
}

/** ` (object metadata bq-table applied)` when destination overrides took part. */
function appliedNote(input: DestinationInput): string {
  if (input.overridesFrom === undefined) return '';
  const from = [...input.overrides.keys()].filter((k) => DESTINATION_OVERRIDES.includes(k));
  return from.length > 0 ? ` (${input.overridesFrom} ${from.join(', ')} applied)` : '';
}

/** The rules' defaults under the route's own load options (a fresh object to change). */
export function routeLoadOptions(
  rules: CompiledRules,
  route: CompiledRoute,
): Record<string, unknown> {
  return { ...rules.config.defaults, ...route.config.load };
}

/**
 * Sets writeDisposition / createDisposition in `load` from `bq-write-disposition` /
 * `bq-create-disposition`; a value that is not one of BigQuery's is refused, naming where it
 * came from (`object metadata`, `attribute`).
 */
export function applyDispositionOverrides(
  load: Record<string, unknown>,
  overrides: Overrides,
  from: string,
): Step<undefined> {
  for (const [key, field, allowed] of [
    ['bq-write-disposition', 'writeDisposition', WRITE_DISPOSITIONS],
    ['bq-create-disposition', 'createDisposition', CREATE_DISPOSITIONS],
  ] as const) {
    const value = overrides.get(key);
    if (value === undefined) continue;
    if (!(allowed as readonly string[]).includes(value)) {
      return refused(`${from} ${key} "${value}" is not one of ${allowed.join(', ')}`);
    }
    load[field] = value;
  }
  return { ok: true, value: undefined };
}

/** The job's `configuration.load` without sourceUris; `implied` sits under everything. */
export function loadConfiguration(
  route: CompiledRoute,
  load: Record<string, unknown>,
  sourceFormat: string,
  destination: Destination,
  implied: Record<string, unknown> = {},
): JobConfigurationLoad {
  const schema = route.config.schema;
  return {
    ...implied,
    ...load,
    ...(schema === 'autodetect' ? { autodetect: true } : schema ? { schema } : {}),
    ...schemaEvolutionOptions(route),
    sourceFormat,
    destinationTable: toTableReference(destination),
  };
}

/**
 * What `schemaEvolution` sets on a load that writes its destination directly (a staged
 * load's query handles new columns itself: staging.ts). evolve: BigQuery adds the file's
 * new columns and relaxes REQUIRED ones, reading the file's columns (autodetect); strict:
 * unknown values fail the file.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad.FIELDS.schema_update_options
 */
function schemaEvolutionOptions(route: CompiledRoute): Record<string, unknown> {
  const mode = route.config.schemaEvolution;
  if (mode === 'strict') return { ignoreUnknownValues: false };
  if (mode !== 'evolve' || isStagedRoute(route.config)) return {};
  return {
    autodetect: true,
    schemaUpdateOptions: ['ALLOW_FIELD_ADDITION', 'ALLOW_FIELD_RELAXATION'],
  };
}

export function refused<T>(reason: string): Step<T> {
  return { ok: false, reason };
}
