/** Test helper: rules-file text → compiled rules, the way the loader builds them. */
import { parseConfig } from '../../../src/config/parse';
import { resolveSchemaFiles } from '../../../src/config/resolve-schemas';
import { type CompiledRules, compileRules } from '../../../src/routing/compile';
import type { ObjectRef } from '../../../src/types';

export async function rulesFrom(
  yaml: string,
  files: Record<string, string> = {},
): Promise<CompiledRules> {
  const config = parseConfig(yaml, 'rules.yaml');
  const resolved = await resolveSchemaFiles(config, 'rules.yaml', async (path) => {
    const text = files[path];
    if (text === undefined) throw new Error(`no such file ${path}`);
    return text;
  });
  return compileRules(resolved, 'rules.yaml');
}

export function objectRef(overrides: Partial<ObjectRef> = {}): ObjectRef {
  return {
    bucket: 'landing',
    name: 'sales/eu/2026-01-31/a.csv',
    generation: '1764324000000001',
    size: 10,
    metadata: {},
    timeCreated: '2026-01-31T23:10:00Z',
    ...overrides,
  };
}
