/**
 * Size limits of the rules file: a batch route's `batch:` (jobs and files per load) and the
 * top-level `inline:` (how inline data is uploaded). Pure zod, imported by schema.ts.
 */
import * as z from 'zod';

/** BigQuery's own per-job limits: 10,000 source URIs, 15 TB. */
export const MAX_BATCH_FILES = 10_000;
export const MAX_BATCH_BYTES = 15 * 1000 ** 4;

/** `batch:` limits of a `mode: batch` route (docs/sweeps.md explains the quota arithmetic). */
export const BatchSchema = z
  .strictObject({
    maxFiles: z
      .number()
      .int()
      .min(1)
      .max(MAX_BATCH_FILES, 'at most 10000 (BigQuery source URIs per job)')
      .default(MAX_BATCH_FILES)
      .describe('Source URIs per job (default and BigQuery maximum: 10,000).'),
    maxBytes: z
      .number()
      .int()
      .min(1)
      .max(MAX_BATCH_BYTES, 'at most 15 TB (15000000000000, BigQuery bytes per load job)')
      .default(MAX_BATCH_BYTES)
      .describe('Bytes per job (default and BigQuery maximum: 15 TB).'),
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
  })
  .describe('Limits of a `mode: batch` route (only with `mode: batch`).');

/** `inline:` how inline payloads are uploaded (docs/requests.md). */

export const RESUMABLE_CHUNK = 256 * 1024;
export const InlineSettingsSchema = z
  .strictObject({
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
  })
  .describe('How inline data is uploaded through the jobs.insert Upload URI.');
