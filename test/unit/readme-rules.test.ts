/** The rules-file example of docs/rules.md is the one users copy: it must stay valid. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../src/config/parse';
import { resolveSchemaFiles } from '../../src/config/resolve-schemas';
import { compileRules } from '../../src/routing/compile';
import { planObjectLoad } from '../../src/routing/plan';
import { findShadowedRoutes } from '../../src/routing/shadowing';

const REPO = join(__dirname, '../..');

const RULES_PAGE = 'docs/rules.md';

function rulesExample(): string {
  const page = readFileSync(join(REPO, RULES_PAGE), 'utf8');
  const block = /```yaml\n(project: my-project[\s\S]*?)```/.exec(page);
  if (!block?.[1])
    throw new Error(`${RULES_PAGE} has no rules example starting with "project: my-project"`);
  return block[1];
}

it('the docs/rules.md rules example validates, compiles and routes its own examples', async () => {
  const config = parseConfig(rulesExample(), RULES_PAGE);
  const resolved = await resolveSchemaFiles(
    config,
    join(REPO, 'examples/autoloader.yaml'),
    async (p) => readFileSync(p, 'utf8'),
  );
  const rules = compileRules(resolved, RULES_PAGE);
  expect(findShadowedRoutes(rules)).toEqual([]);
  const decision = planObjectLoad(
    rules,
    {
      bucket: 'landing-prod',
      name: 'sales/eu/2026-11-01/part-1.csv',
      generation: '1',
      size: 10,
      metadata: {},
    },
    { runtimeProject: 'runtime' },
  );
  expect(decision.kind === 'load' && decision.plan.job.configuration.load.destinationTable).toEqual(
    {
      projectId: 'my-project',
      datasetId: 'raw',
      tableId: 'sales_eu$20261101',
    },
  );
});
