/** Writes docs/rules-reference.md from the zod schema. Run: `npm run docs`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES_REFERENCE_FILE, rulesReferenceMarkdown } from '../src/config/rules-reference';

const target = join(__dirname, '..', RULES_REFERENCE_FILE);
writeFileSync(target, rulesReferenceMarkdown());
process.stdout.write(`wrote ${target}\n`);
