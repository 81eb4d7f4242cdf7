/** Writes autoloader.schema.json from the zod schema. Run: `npx tsx scripts/write-json-schema.ts`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchemaText, JSON_SCHEMA_FILE } from '../src/config/json-schema';

const target = join(__dirname, '..', JSON_SCHEMA_FILE);
writeFileSync(target, configJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
