/**
 * docs/rules-reference.md, rendered from the JSON Schema of the rules file (json-schema.ts),
 * itself generated from the zod schema that validates at cold start: every key with its type,
 * whether it is required, its default, its allowed values and its `.describe()` text.
 * Regenerate the committed file with: `npm run docs`. Pure: the caller writes the file.
 */
import { configJsonSchema } from './json-schema';

export const RULES_REFERENCE_FILE = 'docs/rules-reference.md';

/** The subset of JSON Schema that `z.toJSONSchema` produces for the rules file. */
interface Node {
  $ref?: string;
  type?: string;
  const?: unknown;
  enum?: unknown[];
  anyOf?: Node[];
  not?: unknown;
  items?: Node;
  properties?: Record<string, Node>;
  additionalProperties?: Node | boolean;
  required?: string[];
  default?: unknown;
  description?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
}

interface Row {
  key: string;
  type: string;
  required: boolean;
  default: string;
  allowed: string;
  description: string;
}

/** Bounds zod writes for "any safe integer": not a limit a reader needs to see. */
const SAFE = Number.MAX_SAFE_INTEGER;

const SECTIONS: Record<string, { title: string; intro: string }> = {
  Route: {
    title: 'Route',
    intro: 'One entry of `routes`. Routes are tried in order; the first match wins.',
  },
  LoadOptions: {
    title: 'LoadOptions',
    intro:
      "`defaults` and each route's `load`: BigQuery's [`JobConfigurationLoad`](https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad) fields, checked against BigQuery's field list and enums (a misspelled field stops the instance). `defaults` is merged under every route's `load` (shallow). BigQuery's reference describes each field.",
  },
  TableFieldSchema: {
    title: 'TableFieldSchema',
    intro:
      "One column of an inline `schema: { fields: [...] }` (recursive for `RECORD`): BigQuery's [`TableFieldSchema`](https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#TableFieldSchema).",
  },
};

function refName(ref: string): string {
  return ref.replace('#/$defs/', '');
}

function code(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

function typeOf(node: Node): string {
  if (node.$ref) {
    const name = refName(node.$ref);
    return `[${name}](#${name.toLowerCase()})`;
  }
  if (node.not !== undefined) return '— (set by the loader)';
  if (node.const !== undefined) return code(node.const);
  if (node.anyOf) return node.anyOf.map(typeOf).join(' or ');
  if (node.type === 'array') return `array of ${node.items ? typeOf(node.items) : 'any'}`;
  if (node.type === 'object' && typeof node.additionalProperties === 'object')
    return `map of string to ${typeOf(node.additionalProperties)}`;
  return node.type ?? 'any';
}

/** Allowed values and limits of one node (and of an array's items). */
function allowedOf(node: Node): string {
  const parts: string[] = [];
  if (node.enum) parts.push(node.enum.map(code).join(', '));
  if (node.pattern) parts.push(`matches ${code(node.pattern)}`);
  if (node.minLength === 1) parts.push('not empty');
  else if (node.minLength !== undefined && node.minLength > 1)
    parts.push(`at least ${node.minLength} characters`);
  if (node.maxLength !== undefined) parts.push(`at most ${node.maxLength} characters`);
  if (node.minimum !== undefined && node.minimum > -SAFE) parts.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined && node.maximum < SAFE) parts.push(`≤ ${node.maximum}`);
  if (node.multipleOf !== undefined) parts.push(`a multiple of ${node.multipleOf}`);
  if (node.minItems === 1) parts.push('at least one item');
  else if (node.minItems !== undefined) parts.push(`at least ${node.minItems} items`);
  if (node.maxItems !== undefined) parts.push(`at most ${node.maxItems} items`);
  if (node.type === 'array' && node.items && !node.items.$ref) {
    const items = allowedOf(node.items);
    if (items) parts.push(`each: ${items}`);
  }
  if (node.anyOf) {
    const branches = node.anyOf
      .map((branch) => allowedOf(branch))
      .filter((text) => text.length > 0);
    if (branches.length > 0) parts.push(branches.join('; or '));
  }
  return parts.join('; ');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Rows for `node`'s properties, depth first, nested objects as dotted keys. */
function rowsOf(node: Node, prefix: string): Row[] {
  const rows: Row[] = [];
  const required = new Set(node.required ?? []);
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const path = `${prefix}${key}`;
    rows.push({
      key: path,
      type: typeOf(child),
      required: required.has(key),
      default: child.default === undefined ? '' : code(child.default),
      allowed: allowedOf(child),
      description: child.description ?? '',
    });
    rows.push(...nestedRows(child, path));
  }
  return rows;
}

/** The keys inside an object-valued key (also through arrays and unions). */
function nestedRows(node: Node, path: string): Row[] {
  if (node.properties) return rowsOf(node, `${path}.`);
  if (node.type === 'array' && node.items?.properties) return rowsOf(node.items, `${path}[].`);
  if (node.anyOf) return node.anyOf.flatMap((branch) => nestedRows(branch, path));
  return [];
}

function table(rows: Row[]): string[] {
  const lines = [
    '| key | type | required | default | allowed values | description |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const cells = [
      code(row.key),
      row.type,
      row.required ? 'yes' : '',
      row.default,
      row.allowed,
      row.description,
    ];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines;
}

/** The exact text of docs/rules-reference.md. */
export function rulesReferenceMarkdown(): string {
  const schema = configJsonSchema() as Node & { $defs?: Record<string, Node> };
  const lines = [
    '# Rules file reference',
    '',
    '<!-- Generated from the zod schema (src/config/) by `npm run docs`; do not edit by hand.',
    '     test/unit/config/rules-reference.test.ts fails when this file is out of date. -->',
    '',
    'Every key of the rules file (`AUTOLOADER_CONFIG`, YAML or JSON), as the function validates',
    'it at cold start and `bq-autoloader validate` checks it. Every object is strict: an unknown',
    'key is an error naming its path. Keys inside objects are written with dots (`allow.topics`);',
    '`[]` stands for every item of an array. The tutorial is [rules.md](rules.md); editors',
    'autocomplete the same keys from [autoloader.schema.json](../autoloader.schema.json).',
    '',
    '## Top level',
    '',
    ...table(rowsOf(schema, '')),
  ];
  for (const [name, def] of Object.entries(schema.$defs ?? {}).sort(([a], [b]) =>
    a === 'Route' ? -1 : b === 'Route' ? 1 : a.localeCompare(b),
  )) {
    const section = SECTIONS[name];
    lines.push(
      '',
      `## ${section?.title ?? name}`,
      '',
      section?.intro ?? def.description ?? '',
      '',
      ...table(rowsOf(def, '')),
    );
  }
  return `${lines.join('\n')}\n`;
}
