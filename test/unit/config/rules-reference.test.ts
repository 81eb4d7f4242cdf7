import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULES_REFERENCE_FILE, rulesReferenceMarkdown } from '../../../src/config/rules-reference';

describe('docs/rules-reference.md', () => {
  it('is committed up to date (regenerate: npm run docs)', () => {
    const committed = readFileSync(join(__dirname, '../../..', RULES_REFERENCE_FILE), 'utf8');
    expect(committed).toBe(rulesReferenceMarkdown());
  });

  it('names every key with its default and allowed values', () => {
    const text = rulesReferenceMarkdown();
    for (const key of [
      '`match.regex`',
      '`allow.topics`',
      '`inline.chunkBytes`',
      '`batch.jobsPerDay`',
      '`onSuccess.action`',
      '`writeDisposition`',
    ])
      expect(text).toContain(`| ${key} |`);
    expect(text).toMatch(/\| `location` \| string \| {2}\| `US` \|/);
    expect(text).toContain('`WRITE_APPEND`, `WRITE_TRUNCATE`');
  });
});
