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
import { LoadOptionsSchema, TableSchemaSchema } from './load-fields';
import { outcomeRouteShape } from './outcomes-schema';

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
  .regex(PATTERN_URI, 'expected gs://BUCKET/PATTERN (a pattern after the bucket)');

/** Object form of `match`: `uri` alone, or `bucket` + `regex`; plus optional conditions. */
export const MatchObjectSchema = z
  .strictObject({
    uri: GsPattern.optional(),
    bucket: z
      .string()
      .regex(/^[^/{}]+$/, 'a bucket name, `*` allowed')
      .optional(),
    regex: z
      .string()
      .describe('Matched against the object name; named groups become captures.')
      .optional(),
    contentType: z.string().describe('Glob over the object content type.').optional(),
    metadata: z
      .record(z.string(), z.string())
      .describe('Custom metadata values the object must carry.')
      .optional(),
  })
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

/** BigQuery's own per-job limits: 10,000 source URIs, 15 TB. */
export const MAX_BATCH_FILES = 10_000;
export const MAX_BATCH_BYTES = 15 * 1000 ** 4;

/** `batch:` limits of a `mode: batch` route (README: Scheduled sweeps explains the quota arithmetic). */
export const BatchSchema = z.strictObject({
  maxFiles: z
    .number()
    .int()
    .min(1)
    .max(MAX_BATCH_FILES, 'at most 10000 (BigQuery source URIs per job)')
    .default(MAX_BATCH_FILES),
  maxBytes: z
    .number()
    .int()
    .min(1)
    .max(MAX_BATCH_BYTES, 'at most 15 TB (15000000000000, BigQuery bytes per load job)')
    .default(MAX_BATCH_BYTES),
  jobsPerDay: z
    .number()
    .int()
    .min(1)
    .max(1500, 'at most 1500 (BigQuery load jobs per table per day, failed ones included)')
    .default(1000)
    .describe('Load jobs per destination table per day this route may use, failed included.'),
  sweepsPerDay: z
    .number()
    .int()
    .min(1)
    .max(1440)
    .default(96)
    .describe('How often the scheduler sweeps (96 = every 15 minutes); sets the per-run budget.'),
});

/** How data reaches the loader (src/types.ts `InputKind`); a route `accepts` some of them. */
export const INPUT_KINDS = ['object', 'request', 'inline'] as const;

/** `inline:` how inline payloads are uploaded (README: Load requests and inline data). */
export { AllowSchema, TOPIC_NAME };

export const RESUMABLE_CHUNK = 256 * 1024;
export const InlineSettingsSchema = z.strictObject({
  resumableThresholdBytes: z
    .number()
    .int()
    .min(0)
    .default(5 * 1024 * 1024)
    .describe(
      'Payloads larger than this use a resumable upload; smaller ones one multipart request.',
    ),
  chunkBytes: z
    .number()
    .int()
    .min(RESUMABLE_CHUNK)
    .multipleOf(
      RESUMABLE_CHUNK,
      'a multiple of 262144 (256 KiB), as the resumable protocol requires',
    )
    .default(8 * RESUMABLE_CHUNK)
    .describe('Bytes per PUT of a resumable upload (a multiple of 256 KiB).'),
});

export const RouteSchemaField = z.union([
  z.literal('autodetect'),
  TableSchemaSchema,
  z.string().min(1).describe('Path to a JSON schema file, relative to the rules file.'),
]);

export const routeShape = {
  name: z
    .string()
    .regex(
      /^[a-z][a-z0-9_-]{0,62}$/,
      'lowercase letter first, then up to 62 lowercase letters, digits, _ or - (it goes into job ids and labels)',
    ),
  match: z.union([GsPattern, MatchObjectSchema]),
  destination: z
    .string()
    .min(1)
    .describe('[project.]dataset.table[$decorator] with {capture} and built-in placeholders'),
  format: z.enum(ROUTE_FORMATS).optional(),
  schema: RouteSchemaField.optional(),
  load: LoadOptionsSchema.optional(),
  overrides: z.array(z.enum(OVERRIDE_KEYS)).optional(),
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
  // snapshot, wait, onSuccess, onFailure, notifyTopic (README: What happens to my file).
  ...outcomeRouteShape,
};

export const RouteSchema = z
  .strictObject(routeShape)
  .meta({ id: 'Route', description: 'Tried in order; the first match wins.' });

export const configShape = {
  $schema: z.string().optional(),
  project: z.string().min(1).optional(),
  location: z.string().min(1).default('US'),
  ...endpointsShape,
  allow: AllowSchema.optional(),
  defaults: LoadOptionsSchema.optional(),
  routes: z.array(RouteSchema).min(1, 'at least one route is required'),
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
  });
});

export function duplicateMessage(name: string, firstIndex: number): string {
  return `duplicate route name "${name}" (first used by routes[${firstIndex}]); names must be unique: they go into job ids`;
}

export type Config = z.infer<typeof ConfigSchema>;
export type Route = Config['routes'][number];
export type MatchObject = z.infer<typeof MatchObjectSchema>;
