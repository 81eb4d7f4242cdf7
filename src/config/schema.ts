/**
 * The rules file (`autoloader.yaml`), as one zod schema: the single source of truth for
 * validation, the `Config` type and the editor JSON Schema (src/config/json-schema.ts).
 * Every object is strict: an unknown key is an error naming its path, not a silent no-op.
 *
 * To extend a route (later: accepts, mode, batch, onSuccess, ...), add keys to
 * `routeShape`; to extend the top level, add keys to `configShape`.
 */
import * as z from 'zod';
import { FOLDER_URI, PATTERN_URI } from '../core/gs-uri';
import { AllowSchema, TOPIC_NAME } from './allow-schema';
import { checkRegionalEndpoints, endpointsShape } from './endpoints-schema';
import { BatchSchema, InlineSettingsSchema } from './limits-schema';
import { LoadOptionsSchema, TableSchemaSchema } from './load-fields';
import { outcomeRouteShape } from './outcomes-schema';
import { checkStagedRoute } from './staging-checks';
import { StagingSchema, stagingRouteShape } from './staging-schema';

/**
 * The object-metadata keys a route may let change its outcome (`overrides: [bq-table]`).
 * By default object metadata changes nothing: whoever can write an object should not choose
 * where it lands unless the rules say so. Values are validated like the rules file's own.
 * - `bq-project`: the destination project id
 * - `bq-dataset`: the destination dataset id
 * - `bq-table`: the destination table id (without decorator)
 * - `bq-partition`: the partition decorator digits (`20260101`, without `$`)
 * - `bq-format`: the source format (CSV | NEWLINE_DELIMITED_JSON | AVRO | PARQUET | ORC)
 * - `bq-write-disposition`: WRITE_APPEND | WRITE_TRUNCATE | WRITE_TRUNCATE_DATA | WRITE_EMPTY
 * - `bq-create-disposition`: CREATE_IF_NEEDED | CREATE_NEVER
 */
export const OVERRIDE_KEYS = [
  'bq-project',
  'bq-dataset',
  'bq-table',
  'bq-partition',
  'bq-format',
  'bq-write-disposition',
  'bq-create-disposition',
] as const;
export type OverrideKey = (typeof OVERRIDE_KEYS)[number];

export const ROUTE_FORMATS = ['CSV', 'NEWLINE_DELIMITED_JSON', 'AVRO', 'PARQUET', 'ORC'] as const;

const GsPattern = z
  .string()
  .regex(PATTERN_URI, 'expected gs://BUCKET/PATTERN (a pattern after the bucket)')
  .describe(
    'gs://BUCKET/PATTERN: `{name}` captures one path segment (or part of one), `*` matches within a segment, `**` across segments; the bucket may use `*`.',
  );

/** Object form of `match`: `uri` alone, or `bucket` + `regex`; plus optional conditions. */
export const MatchObjectSchema = z
  .strictObject({
    uri: GsPattern.optional(),
    bucket: z
      .string()
      .regex(/^[^/{}]+$/, 'a bucket name, `*` allowed')
      .describe('The bucket, with `regex`; `*` allowed.')
      .optional(),
    regex: z
      .string()
      .describe(
        'Matched against the object name; named groups become captures. Anchor it yourself; RE2 syntax, run in linear time by RE2JS: no lookarounds or backreferences.',
      )
      .optional(),
    contentType: z.string().describe('Glob over the object content type.').optional(),
    metadata: z
      .record(z.string(), z.string())
      .describe('Custom metadata values the object must carry.')
      .optional(),
  })
  .describe(
    'Object form of `match`: `uri`, or `bucket` + `regex`, plus optional `contentType` and required `metadata` values.',
  )
  .superRefine((m, ctx) => {
    const byRegex = m.bucket !== undefined || m.regex !== undefined;
    if (m.uri !== undefined && byRegex) {
      ctx.addIssue({
        code: 'custom',
        message: 'give either `uri` or `bucket` + `regex`, not both',
      });
    } else if (m.uri === undefined && (m.bucket === undefined || m.regex === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give `uri`, or both `bucket` and `regex`' });
    }
  });

/** How a route loads: one job per object event, or many objects per job from sweeps. */
export const ROUTE_MODES = ['object', 'batch'] as const;

/** How data reaches the loader (src/types.ts `InputKind`); a route `accepts` some of them. */
export const INPUT_KINDS = ['object', 'request', 'inline'] as const;

export {
  BatchSchema,
  InlineSettingsSchema,
  MAX_BATCH_BYTES,
  MAX_BATCH_FILES,
  RESUMABLE_CHUNK,
} from './limits-schema';
export { AllowSchema, TOPIC_NAME };

export const RouteSchemaField = z
  .union([
    z.literal('autodetect'),
    TableSchemaSchema,
    z.string().min(1).describe('Path to a JSON schema file, relative to the rules file.'),
  ])
  .describe(
    '`autodetect`, inline `{ fields: [...] }`, or a path to a BigQuery JSON schema file (relative to the rules file, or gs://).',
  );

export const routeShape = {
  name: z
    .string()
    .regex(
      /^[a-z][a-z0-9_-]{0,62}$/,
      'lowercase letter first, then up to 62 lowercase letters, digits, _ or - (it goes into job ids and labels)',
    )
    .describe('Unique: it goes into job ids and labels.'),
  match: z
    .union([GsPattern, MatchObjectSchema])
    .describe('Which objects the route takes: a gs:// pattern, or the object form.'),
  destination: z
    .string()
    .min(1)
    .describe(
      '[project.]dataset.table[$decorator] with {capture} placeholders and built-ins {bucket}, {basename}, {route}, {generation}, {created:yyyyMMdd} (tokens yyyy MM dd HH, UTC). A rendered name that is not a valid BigQuery identifier is refused, never rewritten. Decorators: $YYYYMMDD, $YYYYMMDDHH, $YYYYMM, $YYYY.',
    ),
  format: z
    .enum(ROUTE_FORMATS)
    .describe(
      'Default from the extension: .csv .tsv (tab-delimited CSV) .json .jsonl .ndjson .avro .parquet .orc, with .gz for CSV and JSON.',
    )
    .optional(),
  schema: RouteSchemaField.optional(),
  load: LoadOptionsSchema.optional(),
  overrides: z
    .array(z.enum(OVERRIDE_KEYS))
    .describe(
      "Object-metadata keys (or inline-data attributes) allowed to change this route's outcome. None by default: whoever can write an object should not choose where it lands unless the rules say so. Allowlists still apply afterwards.",
    )
    .optional(),
  accepts: z
    .array(z.enum(INPUT_KINDS))
    .min(1)
    .describe(
      'Which inputs this route takes: object (finalize events, GCS notifications), request (load requests over Pub/Sub), inline (data in Pub/Sub messages). Default [object].',
    )
    .optional(),
  mode: z
    .enum(ROUTE_MODES)
    .describe('object: one load per object event; batch: loaded by scheduled sweeps')
    .optional(),
  batch: BatchSchema.optional(),
  // snapshot, wait, onSuccess, onFailure, notifyTopic (docs/outcomes.md: What happens to my file).
  ...outcomeRouteShape,
  // transform, dedupe, schemaEvolution (docs/transforms.md).
  ...stagingRouteShape,
};

export const RouteSchema = z
  .strictObject(routeShape)
  .meta({ id: 'Route', description: 'Tried in order; the first match wins.' });

export const configShape = {
  $schema: z.string().describe('Ignored by the loader; for editors.').optional(),
  project: z
    .string()
    .min(1)
    .describe('Project billed for the jobs (default: the runtime project).')
    .optional(),
  location: z.string().min(1).default('US').describe('Job location.'),
  ...endpointsShape,
  allow: AllowSchema.optional(),
  defaults: LoadOptionsSchema.optional(),
  routes: z
    .array(RouteSchema)
    .min(1, 'at least one route is required')
    .describe('Tried in order; the first match wins.'),
  deadLetterTopic: z
    .string()
    .regex(TOPIC_NAME, 'expected projects/PROJECT/topics/TOPIC')
    .describe('Receives refused load requests and inline payloads, with a `reason` attribute.')
    .optional(),
  deadLetterStore: z
    .string()
    .regex(FOLDER_URI, 'expected gs://BUCKET/ or gs://BUCKET/PREFIX/ (ending in /)')
    .describe(
      'Where the original of a dead letter too large for Pub/Sub is kept whole (one JSON object per message); the dead letter then carries its gs:// URI as `originalUri` and an excerpt of the data.',
    )
    .optional(),
  inline: InlineSettingsSchema.optional(),
  staging: StagingSchema.optional(),
};

export const ConfigSchema = z.strictObject(configShape).superRefine((config, ctx) => {
  checkRegionalEndpoints(config, ctx);
  const seen = new Map<string, number>();
  config.routes.forEach((route, index) => {
    const first = seen.get(route.name);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['routes', index, 'name'],
        message: duplicateMessage(route.name, first),
      });
    } else {
      seen.set(route.name, index);
    }
    const external = route.accepts?.filter((kind) => kind !== 'object') ?? [];
    if (external.length > 0 && !config.allow?.topics?.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['routes', index, 'accepts'],
        message: `accepting ${external.join(' and ')} needs allow.topics (which topics may publish them)`,
      });
    }
    if (route.batch !== undefined && route.mode !== 'batch') {
      ctx.addIssue({
        code: 'custom',
        path: ['routes', index, 'batch'],
        message: '`batch` limits apply only to a route with `mode: batch`',
      });
    }
    if (route.snapshot && route.mode === 'batch') {
      const message = '`snapshot` applies only to per-object routes (`mode: object`)';
      ctx.addIssue({ code: 'custom', path: ['routes', index, 'snapshot'], message });
    }
    checkStagedRoute(route, index, ctx, config.defaults);
  });
});

export function duplicateMessage(name: string, firstIndex: number): string {
  return `duplicate route name "${name}" (first used by routes[${firstIndex}]); names must be unique: they go into job ids`;
}

export type Config = z.infer<typeof ConfigSchema>;
export type Route = Config['routes'][number];
export type MatchObject = z.infer<typeof MatchObjectSchema>;
