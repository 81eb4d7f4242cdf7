/**
 * PARSE_TIMESTAMP's format string → DuckDB strptime format(s). Only the common elements are
 * translated; any other element is refused by name (DuckDB's meaning of the same letters
 * differs for several of them).
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/format-elements#format_elements_date_time
 */
import { refusedConstruct } from '../errors';

/** GoogleSQL element → DuckDB strptime element(s), for the elements that map one to one. */
const SAME: Record<string, string> = {
  '%Y': '%Y',
  '%m': '%m',
  '%d': '%d',
  '%H': '%H',
  '%M': '%M',
  '%S': '%S',
  // DuckDB's %z reads both +HHMM (GoogleSQL %z) and +HH:MM (GoogleSQL %Ez).
  '%z': '%z',
  '%Ez': '%z',
  '%F': '%Y-%m-%d',
  '%T': '%H:%M:%S',
  '%%': '%%',
};

/** `%E*S`: seconds with as many fractional digits as the string has (none included). */
const SECONDS_WITH_FRACTION = '%E*S';

/**
 * The DuckDB formats to try in order (strptime accepts a list): one per way of reading each
 * `%E*S` (with or without a fraction).
 */
export function strptimeFormats(format: string): { formats: string[] } {
  let formats = [''];
  let i = 0;
  while (i < format.length) {
    if (format[i] !== '%') {
      formats = formats.map((f) => f + (format[i] as string));
      i += 1;
      continue;
    }
    if (format.startsWith(SECONDS_WITH_FRACTION, i)) {
      if (formats.length > 1)
        throw refusedConstruct('More than one %E*S in a PARSE_TIMESTAMP format');
      // %n reads 1 to 9 fractional digits; without a fraction the second format applies.
      formats = formats.flatMap((f) => [`${f}%S.%n`, `${f}%S`]);
      i += SECONDS_WITH_FRACTION.length;
      continue;
    }
    const element = format.startsWith('%E', i) ? format.slice(i, i + 3) : format.slice(i, i + 2);
    const duck = SAME[element];
    if (duck === undefined) {
      throw refusedConstruct(`The PARSE_TIMESTAMP format element ${element}`);
    }
    formats = formats.map((f) => f + duck);
    i += element.length;
  }
  return { formats };
}
