/**
 * The JSON Schema editors use to autocomplete and check `autoloader.yaml` (e.g. with a
 * `# yaml-language-server: $schema=./autoloader.schema.json` first line). Generated from the
 * same zod schema that validates at cold start, so the two cannot disagree.
 * Regenerate the committed file with: `npx tsx scripts/write-json-schema.ts`.
 */
import * as z from 'zod';
import { ConfigSchema } from './schema';

export const JSON_SCHEMA_FILE = 'autoloader.schema.json';

export function configJsonSchema(): object {
  return {
    ...z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'bq-autoloader rules file',
  };
}

/** The exact text of the committed file (stable key order, trailing newline). */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
