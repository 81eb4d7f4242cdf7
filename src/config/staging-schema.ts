/**
 * Rules-file keys for loads that go through a staging table (docs/transforms.md): a route's
 * `transform`, `dedupe` and `schemaEvolution`, and the top-level `staging` dataset. Pure zod,
 * imported by src/config/schema.ts; the cross-key checks live in staging-checks.ts.
 */
import * as z from 'zod';

/** A BigQuery column name: letters, digits, underscores, not starting with a digit. */
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]{0,299}$/;

const Column = z.string().regex(COLUMN, 'expected a column name (letters, digits, _)');

export const TransformSchema = z
  .string()
  .min(1)
  .describe(
    "A BigQuery SQL SELECT over `{staging}` (the file's rows, loaded into a staging table first). Its result is appended to the destination by a query job whose id is the load job's id + `_q`; it must output columns of the destination table (others: see schemaEvolution).",
  );

export const DEDUPE_KEEP = ['latest', 'first'] as const;

export const DedupeSchema = z
  .strictObject({
    key: z.array(Column).min(1).describe('The columns that identify a row.'),
    keep: z
      .enum(DEDUPE_KEEP)
      .default('latest')
      .describe(
        '`latest`: a row whose key exists replaces it when its `order_by` value is greater; `first`: when it is smaller (without `order_by`, rows whose key exists are dropped). Default latest.',
      ),
    order_by: Column.optional().describe(
      'Which row is newer (required with keep: latest); also picks one row per key within a file. Rows with a NULL order_by never replace a row, nor are replaced.',
    ),
  })
  .describe(
    'MERGE into the destination instead of appending: rows whose key is absent are inserted; a row whose key exists replaces it when its `order_by` is newer (`keep: latest`) or older (`keep: first`).',
  );

export const SCHEMA_EVOLUTION = ['strict', 'evolve', 'rescue'] as const;
export type SchemaEvolution = (typeof SCHEMA_EVOLUTION)[number];

export const SchemaEvolutionSchema = z
  .enum(SCHEMA_EVOLUTION)
  .describe(
    'What a file with columns the table lacks does. strict: the file fails, naming them; evolve: they are added as NULLABLE columns and REQUIRED columns may become NULLABLE; rescue: they go into the JSON column `_rescued` (through the staging table). Default: the load is left to BigQuery (unknown JSON fields fail the file).',
  );

/** The JSON column `schemaEvolution: rescue` fills with the fields the table lacks. */
export const RESCUED_COLUMN = '_rescued';

/** The staging dataset when the rules name none: in the billing project. */
export const DEFAULT_STAGING_DATASET = 'bq_autoloader_staging';

export const StagingSchema = z
  .strictObject({
    dataset: z
      .string()
      .regex(
        /^(?:[^\s`]+\.)?[A-Za-z0-9_]{1,1024}$/,
        'expected [project.]dataset (the project may carry a domain prefix, such as s3ns:project)',
      )
      .default(DEFAULT_STAGING_DATASET)
      .describe(
        "Where staging tables go: [project.]dataset, in the jobs' location. Give it a default table expiration (Terraform does) so abandoned staging tables disappear. Default bq_autoloader_staging in the billing project.",
      ),
  })
  .describe('Staging tables of routes with transform, dedupe or schemaEvolution: rescue.');

export const stagingRouteShape = {
  transform: TransformSchema.optional(),
  dedupe: DedupeSchema.optional(),
  schemaEvolution: SchemaEvolutionSchema.optional(),
};

export type Dedupe = z.infer<typeof DedupeSchema>;
