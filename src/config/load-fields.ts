/**
 * BigQuery `JobConfigurationLoad`, as the rules file may set it (`defaults`, `routes[].load`).
 * Field names and enums from the BigQuery v2 discovery document:
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad
 * Strict: a misspelled field is an error at cold start, not a silently ignored option.
 */
import * as z from 'zod';

/** int64 fields travel as decimal strings in the REST API; accept numbers too. */
const Int64 = z.union([z.string().regex(/^-?\d+$/, 'expected an integer'), z.number().int()]);
const Count = z.number().int().min(0);

export const SOURCE_FORMATS = [
  'CSV',
  'NEWLINE_DELIMITED_JSON',
  'AVRO',
  'PARQUET',
  'ORC',
  'DATASTORE_BACKUP',
] as const;
export const CREATE_DISPOSITIONS = ['CREATE_IF_NEEDED', 'CREATE_NEVER'] as const;
export const WRITE_DISPOSITIONS = [
  'WRITE_APPEND',
  'WRITE_TRUNCATE',
  'WRITE_TRUNCATE_DATA',
  'WRITE_EMPTY',
] as const;
export const ENCODINGS = [
  'UTF-8',
  'ISO-8859-1',
  'UTF-16BE',
  'UTF-16LE',
  'UTF-32BE',
  'UTF-32LE',
] as const;

const FIELD_TYPES = [
  'STRING',
  'BYTES',
  'INTEGER',
  'INT64',
  'FLOAT',
  'FLOAT64',
  'NUMERIC',
  'BIGNUMERIC',
  'BOOLEAN',
  'BOOL',
  'TIMESTAMP',
  'DATE',
  'TIME',
  'DATETIME',
  'GEOGRAPHY',
  'RECORD',
  'STRUCT',
  'JSON',
  'RANGE',
  'INTERVAL',
] as const;

/** `TableFieldSchema` (recursive for RECORD). https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableFieldSchema */
export interface FieldSchemaInput {
  name: string;
  type: (typeof FIELD_TYPES)[number];
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  description?: string;
  fields?: FieldSchemaInput[];
  maxLength?: string | number;
  precision?: string | number;
  scale?: string | number;
  defaultValueExpression?: string;
  collation?: string;
  roundingMode?: 'ROUNDING_MODE_UNSPECIFIED' | 'ROUND_HALF_AWAY_FROM_ZERO' | 'ROUND_HALF_EVEN';
  policyTags?: { names: string[] };
  rangeElementType?: { type: string };
}

export const FieldSchema: z.ZodType<FieldSchemaInput> = z
  .lazy(() =>
    z.strictObject({
      name: z.string().min(1).max(300, 'column names are at most 300 characters'),
      type: z.enum(FIELD_TYPES),
      mode: z.enum(['NULLABLE', 'REQUIRED', 'REPEATED']).optional(),
      description: z.string().optional(),
      fields: z.array(FieldSchema).optional(),
      maxLength: Int64.optional(),
      precision: Int64.optional(),
      scale: Int64.optional(),
      defaultValueExpression: z.string().optional(),
      collation: z.string().optional(),
      roundingMode: z
        .enum(['ROUNDING_MODE_UNSPECIFIED', 'ROUND_HALF_AWAY_FROM_ZERO', 'ROUND_HALF_EVEN'])
        .optional(),
      policyTags: z.strictObject({ names: z.array(z.string()) }).optional(),
      rangeElementType: z.strictObject({ type: z.string() }).optional(),
    }),
  )
  .meta({ id: 'TableFieldSchema', description: 'A BigQuery column (TableFieldSchema).' });

/** `TableSchema`: `{fields: [...]}`. */
export const TableSchemaSchema = z.strictObject({ fields: z.array(FieldSchema).min(1) });

/** Fields the loader sets itself: the rules file says it another way. */
const setByLoader = (instead: string) =>
  z
    .never({ error: `is set by the loader; use ${instead} instead` })
    .describe(`Set by the loader from ${instead}.`)
    .optional();

export const LoadOptionsSchema = z
  .strictObject({
    allowJaggedRows: z.boolean().optional(),
    allowQuotedNewlines: z.boolean().optional(),
    autodetect: z.boolean().optional(),
    clustering: z.strictObject({ fields: z.array(z.string()).min(1).max(4) }).optional(),
    columnNameCharacterMap: z
      .enum(['COLUMN_NAME_CHARACTER_MAP_UNSPECIFIED', 'STRICT', 'V1', 'V2'])
      .optional(),
    connectionProperties: z
      .array(z.strictObject({ key: z.string(), value: z.string() }))
      .optional(),
    copyFilesOnly: z.boolean().optional(),
    createDisposition: z.enum(CREATE_DISPOSITIONS).optional(),
    createSession: z.boolean().optional(),
    dateFormat: z.string().optional(),
    datetimeFormat: z.string().optional(),
    decimalTargetTypes: z.array(z.enum(['NUMERIC', 'BIGNUMERIC', 'STRING'])).optional(),
    destinationEncryptionConfiguration: z.strictObject({ kmsKeyName: z.string() }).optional(),
    destinationTable: setByLoader("the route's `destination`"),
    destinationTableProperties: z
      .strictObject({
        friendlyName: z.string().optional(),
        description: z.string().optional(),
        labels: z.record(z.string(), z.string()).optional(),
        expirationTime: z.string().optional(),
      })
      .optional(),
    encoding: z.enum(ENCODINGS).optional(),
    fieldDelimiter: z.string().min(1).optional(),
    fileSetSpecType: z
      .enum([
        'FILE_SET_SPEC_TYPE_FILE_SYSTEM_MATCH',
        'FILE_SET_SPEC_TYPE_NEW_LINE_DELIMITED_MANIFEST',
      ])
      .optional(),
    hivePartitioningOptions: z
      .strictObject({
        mode: z.enum(['AUTO', 'STRINGS', 'CUSTOM']).optional(),
        sourceUriPrefix: z.string().optional(),
        requirePartitionFilter: z.boolean().optional(),
      })
      .optional(),
    ignoreUnknownValues: z.boolean().optional(),
    jsonExtension: z.enum(['JSON_EXTENSION_UNSPECIFIED', 'GEOJSON']).optional(),
    maxBadRecords: Count.optional(),
    nullMarker: z.string().optional(),
    nullMarkers: z.array(z.string()).optional(),
    parquetOptions: z
      .strictObject({
        enumAsString: z.boolean().optional(),
        enableListInference: z.boolean().optional(),
        mapTargetType: z.enum(['MAP_TARGET_TYPE_UNSPECIFIED', 'ARRAY_OF_STRUCT']).optional(),
      })
      .optional(),
    preserveAsciiControlCharacters: z.boolean().optional(),
    projectionFields: z.array(z.string()).optional(),
    quote: z.string().optional(),
    rangePartitioning: z
      .strictObject({
        field: z.string(),
        range: z.strictObject({ start: Int64, end: Int64, interval: Int64 }),
      })
      .optional(),
    referenceFileSchemaUri: z.string().optional(),
    schema: TableSchemaSchema.optional(),
    schemaInline: z.string().optional(),
    schemaInlineFormat: z.string().optional(),
    schemaUpdateOptions: z
      .array(z.enum(['ALLOW_FIELD_ADDITION', 'ALLOW_FIELD_RELAXATION']))
      .optional(),
    skipLeadingRows: Count.optional(),
    sourceColumnMatch: z.enum(['SOURCE_COLUMN_MATCH_UNSPECIFIED', 'POSITION', 'NAME']).optional(),
    sourceFormat: z.enum(SOURCE_FORMATS).optional(),
    sourceUris: setByLoader("the route's `match`"),
    timeFormat: z.string().optional(),
    timePartitioning: z
      .strictObject({
        type: z.enum(['DAY', 'HOUR', 'MONTH', 'YEAR']),
        field: z.string().optional(),
        expirationMs: Int64.optional(),
        requirePartitionFilter: z.boolean().optional(),
      })
      .optional(),
    timestampFormat: z.string().optional(),
    timestampTargetPrecision: z.array(z.number().int()).optional(),
    timeZone: z.string().optional(),
    useAvroLogicalTypes: z.boolean().optional(),
    writeDisposition: z.enum(WRITE_DISPOSITIONS).optional(),
  })
  .meta({
    id: 'LoadOptions',
    description:
      'BigQuery JobConfigurationLoad fields: https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad',
  });

export type LoadOptions = z.infer<typeof LoadOptionsSchema>;
