/**
 * Job labels (`configuration.labels`): keys and values ≤ 63 chars of lowercase letters,
 * digits, `_` and `-`; keys start with a lowercase letter.
 * https://cloud.google.com/bigquery/docs/labels-intro#requirements
 */
export const ROUTE_LABEL = 'bq-autoloader-route';
export const BUCKET_LABEL = 'bq-autoloader-bucket';

/** Lowercases and replaces anything else (bucket dots, for one) by `_`; cuts to 63 chars. */
export function labelValue(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 63);
}
