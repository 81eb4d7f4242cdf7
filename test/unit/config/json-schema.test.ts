import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  configJsonSchema,
  configJsonSchemaText,
  JSON_SCHEMA_FILE,
} from '../../../src/config/json-schema';

describe('the editor JSON Schema', () => {
  it('is committed up to date (regenerate: npx tsx scripts/write-json-schema.ts)', () => {
    const committed = readFileSync(join(__dirname, '../../..', JSON_SCHEMA_FILE), 'utf8');
    expect(committed).toBe(configJsonSchemaText());
  });

  it('describes the strict rules file: routes required, unknown keys refused, enums listed', () => {
    const schema = configJsonSchema() as {
      required: string[];
      additionalProperties: boolean;
      $defs: Record<
        string,
        { properties: Record<string, { enum?: string[] }>; additionalProperties: boolean }
      >;
    };
    expect(schema.required).toEqual(['routes']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.$defs.Route?.additionalProperties).toBe(false);
    expect(schema.$defs.LoadOptions?.properties.writeDisposition?.enum).toContain('WRITE_TRUNCATE');
  });
});
