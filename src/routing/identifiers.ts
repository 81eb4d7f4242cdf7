/**
 * BigQuery identifier rules. A rendered name that breaks them is refused, never rewritten:
 * a silent rewrite would load data into a table nobody asked for.
 * https://cloud.google.com/bigquery/docs/datasets#dataset-naming
 * https://cloud.google.com/bigquery/docs/tables#table_naming
 * https://cloud.google.com/resource-manager/docs/creating-managing-projects (project ids)
 */
const DATASET = /^[A-Za-z0-9_]{1,1024}$/;
const TABLE = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}\p{Zs}]{1,1024}$/u;
/**
 * Lowercase letters, digits, hyphens, a letter first, at most 30; optionally `domain.com:`
 * scoped. New projects need 6+ characters, but older ids can be shorter: refusing a real
 * project would be worse than letting BigQuery judge it, so the minimum is not enforced.
 */
const PROJECT = /^(?:[a-z][a-z0-9.-]*[a-z0-9]:)?[a-z](?:[a-z0-9-]{0,28}[a-z0-9])?$/;
/** Partition decorators: `$YYYY`, `$YYYYMM`, `$YYYYMMDD`, `$YYYYMMDDHH`. */
const DECORATOR = /^\d{4}(?:\d{2}(?:\d{2}(?:\d{2})?)?)?$/;

export type IdentifierKind = 'project' | 'dataset' | 'table' | 'decorator';

/** Why `value` is not a valid identifier of this kind, or undefined when it is. */
export function identifierProblem(kind: IdentifierKind, value: string): string | undefined {
  switch (kind) {
    case 'project':
      return PROJECT.test(value)
        ? undefined
        : `project id "${value}" is invalid (up to 30 lowercase letters, digits, hyphens; a letter first)`;
    case 'dataset':
      return DATASET.test(value)
        ? undefined
        : `dataset id "${value}" is invalid (1-1024 letters, digits, underscores)`;
    case 'table':
      if (!TABLE.test(value)) {
        return `table id "${value}" is invalid (letters, marks, digits, connectors, dashes, spaces)`;
      }
      return Buffer.byteLength(value, 'utf8') > 1024
        ? `table id "${value.slice(0, 40)}…" is longer than 1024 UTF-8 bytes`
        : undefined;
    case 'decorator':
      if (!DECORATOR.test(value)) {
        return `partition decorator "$${value}" is invalid (digits: YYYY, YYYYMM, YYYYMMDD or YYYYMMDDHH)`;
      }
      return impossibleDate(value);
  }
}

/**
 * A decorator whose digits name no real time (`$20261345`): BigQuery would refuse the load,
 * so it is refused here, at compile time when literal and before the job when rendered.
 */
function impossibleDate(value: string): string | undefined {
  const year = Number(value.slice(0, 4));
  const month = value.length >= 6 ? Number(value.slice(4, 6)) : 1;
  const day = value.length >= 8 ? Number(value.slice(6, 8)) : 1;
  const hour = value.length >= 10 ? Number(value.slice(8, 10)) : 0;
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = month >= 1 && month <= 12 && day >= 1 && hour <= 23 && date.getUTCDate() === day;
  return real
    ? undefined
    : `partition decorator "$${value}" is not a real date or hour (YYYY MM 01-12, DD 01-31 in that month, HH 00-23); write a real partition such as $${value.slice(0, 4)}0101`;
}
