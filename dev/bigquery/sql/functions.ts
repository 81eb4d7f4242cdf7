/**
 * GoogleSQL function calls → DuckDB. Only the functions listed here run; any other call is
 * refused by name. Each rewrite keeps GoogleSQL's meaning where DuckDB's same-named function
 * differs (CONCAT is NULL if any argument is; JSON_VALUE is NULL for objects and arrays).
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/functions-all
 */
import { invalidQuery, refusedConstruct } from '../errors';
import { literal } from '../warehouse';
import { strptimeFormats } from './timestamp-format';
import { isWord, type Node, splitArgs } from './tokens';

/** What a call rewrite needs from the translator. */
export interface ExpressionTranslator {
  /** Translates an argument (or any node list) to DuckDB SQL. */
  expression(nodes: Node[]): string;
  /** The statement's time: CURRENT_TIMESTAMP() is this, as in BigQuery (one value per query). */
  now: Date;
}

/** GoogleSQL type names (and their documented aliases) → DuckDB types. */
const CAST_TYPES: Record<string, string> = {
  INT64: 'BIGINT',
  INT: 'BIGINT',
  INTEGER: 'BIGINT',
  BIGINT: 'BIGINT',
  SMALLINT: 'BIGINT',
  TINYINT: 'BIGINT',
  BYTEINT: 'BIGINT',
  FLOAT64: 'DOUBLE',
  NUMERIC: 'DECIMAL(38,9)',
  DECIMAL: 'DECIMAL(38,9)',
  BOOL: 'BOOLEAN',
  STRING: 'VARCHAR',
  BYTES: 'BLOB',
  DATE: 'DATE',
  DATETIME: 'TIMESTAMP',
  TIMESTAMP: 'TIMESTAMPTZ',
  TIME: 'TIME',
  JSON: 'JSON',
};

/** Same name, same meaning in DuckDB. */
const SAME_FUNCTIONS = new Set([
  'ROW_NUMBER',
  'COALESCE',
  'IFNULL',
  'NULLIF',
  'UPPER',
  'LOWER',
  'TRIM',
  'LTRIM',
  'RTRIM',
  'LENGTH',
  'SUBSTR',
  'ABS',
  'ROUND',
  'COUNT',
  'SUM',
  'MIN',
  'MAX',
  'AVG',
]);

export function duckType(googleType: string): string {
  const duck = CAST_TYPES[googleType.toUpperCase()];
  if (!duck) throw refusedConstruct(`The type ${googleType}`);
  return duck;
}

/** `CAST(x AS T)` / `SAFE_CAST(x AS T)`: the type after the last top-level AS. */
function cast(name: string, inside: Node[], t: ExpressionTranslator): string {
  const as = inside.findLastIndex((node) => isWord(node, 'AS'));
  const typeNodes = inside.slice(as + 1);
  const [type] = typeNodes;
  if (as < 1 || type?.kind !== 'word')
    throw invalidQuery(`Syntax error: ${name} needs (x AS type)`);
  if (typeNodes.length > 1) {
    throw refusedConstruct(
      typeNodes[1]?.kind === 'group'
        ? `The parameterized type ${type.text}(…)`
        : `${name} … FORMAT`,
    );
  }
  const duck = duckType(type.text);
  return `${name === 'SAFE_CAST' ? 'TRY_CAST' : 'CAST'}(${t.expression(inside.slice(0, as))} AS ${duck})`;
}

function stringArgument(nodes: Node[] | undefined, what: string): string {
  const [node, ...rest] = nodes ?? [];
  if (node?.kind !== 'string' || rest.length > 0) {
    throw refusedConstruct(`${what} other than a string literal`);
  }
  return node.text;
}

function parseTimestamp(args: Node[][], t: ExpressionTranslator): string {
  if (args.length < 2 || args.length > 3) {
    throw invalidQuery('PARSE_TIMESTAMP takes (format, string[, time_zone])');
  }
  const format = stringArgument(args[0], 'A PARSE_TIMESTAMP format');
  if (args[2] && stringArgument(args[2], 'A PARSE_TIMESTAMP time zone').toUpperCase() !== 'UTC') {
    throw refusedConstruct('A PARSE_TIMESTAMP time zone other than UTC');
  }
  const { formats } = strptimeFormats(format);
  const duckFormats =
    formats.length === 1 ? literal(formats[0] as string) : `[${formats.map(literal).join(', ')}]`;
  // Without an offset in the string, strptime answers a TIMESTAMP; the session time zone is
  // UTC (warehouse.ts), so the cast reads it as UTC, as PARSE_TIMESTAMP does.
  return `CAST(strptime(${t.expression(args[1] ?? [])}, ${duckFormats}) AS TIMESTAMPTZ)`;
}

/** JSONPath as GoogleSQL and DuckDB both read it: `$`, `.name`, `."quoted name"`, `[n]`. */
function jsonPath(args: Node[][]): string {
  if (args.length === 1) return literal('$');
  const path = stringArgument(args[1], 'A JSON path');
  if (!/^\$(\.[A-Za-z_][A-Za-z0-9_]*|\."[^"]+"|\[\d+\])*$/.test(path)) {
    throw refusedConstruct(`The JSON path ${JSON.stringify(path)}`);
  }
  return literal(path);
}

function arity(name: string, args: Node[][], counts: number[]): void {
  if (!counts.includes(args.length)) {
    throw invalidQuery(`No matching signature for function ${name} with ${args.length} arguments`);
  }
}

type Rewrite = (args: Node[][], t: ExpressionTranslator, name: string) => string;

const REWRITES: Record<string, Rewrite> = {
  PARSE_TIMESTAMP: parseTimestamp,
  JSON_VALUE: (args, t, name) => {
    arity(name, args, [1, 2]);
    const json = t.expression(args[0] ?? []);
    const path = jsonPath(args);
    return `(CASE WHEN json_type(${json}, ${path}) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(${json}, ${path}) END)`;
  },
  JSON_QUERY: (args, t, name) => {
    arity(name, args, [1, 2]);
    return `json_extract(${t.expression(args[0] ?? [])}, ${jsonPath(args)})`;
  },
  PARSE_JSON: (args, t, name) => {
    arity(name, args, [1]);
    return `CAST(${t.expression(args[0] ?? [])} AS JSON)`;
  },
  TO_JSON_STRING: (args, t, name) => {
    arity(name, args, [1]);
    return `CAST(to_json(${t.expression(args[0] ?? [])}) AS VARCHAR)`;
  },
  JSON_OBJECT: (args, t, name) => {
    if (args.length % 2 !== 0) throw invalidQuery(`${name} needs key, value pairs`);
    return `json_object(${args.map((arg) => t.expression(arg)).join(', ')})`;
  },
  CURRENT_TIMESTAMP: (args, t, name) => {
    arity(name, args, [0]);
    return currentTimestamp(t.now);
  },
  IF: (args, t, name) => {
    arity(name, args, [3]);
    const [condition, then, otherwise] = args.map((arg) => t.expression(arg));
    return `(CASE WHEN ${condition} THEN ${then} ELSE ${otherwise} END)`;
  },
  // GoogleSQL's CONCAT is NULL when any argument is; DuckDB's concat skips NULLs, || does not.
  CONCAT: (args, t, name) => {
    if (args.length === 0) throw invalidQuery(`${name} needs at least one argument`);
    return `(${args.map((arg) => t.expression(arg)).join(' || ')})`;
  },
};

export function currentTimestamp(now: Date): string {
  return `CAST(${literal(now.toISOString())} AS TIMESTAMPTZ)`;
}

/** `name(inside)` → DuckDB SQL, or a refusal naming the function. */
export function translateCall(name: string, inside: Node[], t: ExpressionTranslator): string {
  const upper = name.toUpperCase();
  if (upper === 'CAST' || upper === 'SAFE_CAST') return cast(upper, inside, t);
  const args = splitArgs(inside);
  const rewrite = REWRITES[upper];
  if (rewrite) return rewrite(args, t, upper);
  if (SAME_FUNCTIONS.has(upper)) {
    return `${upper.toLowerCase()}(${args.map((arg) => t.expression(arg)).join(', ')})`;
  }
  throw refusedConstruct(`The function ${upper}`);
}
