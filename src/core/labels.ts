/**
 * Job labels (`configuration.labels`): keys and values ≤ 63 chars of lowercase letters,
 * digits, `_` and `-`; keys start with a lowercase letter.
 * https://cloud.google.com/bigquery/docs/labels-intro#requirements
 */
export const ROUTE_LABEL = 'bq-autoloader-route';
export const BUCKET_LABEL = 'bq-autoloader-bucket';
/**
 * How many reloads lie between a batch job and the sweep's original (src/outcomes/batch-reload.ts):
 * absent on the original, `1` on the first reload without its bad files, and so on.
 */
export const RELOAD_LABEL = 'bq-autoloader-reload';

/** Lowercases and replaces anything else (bucket dots, for one) by `_`; cuts to 63 chars. */
export function labelValue(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 63);
}
