import { planAttempt } from '../../../src/routing/attempt';
import { planBatchLoad } from '../../../src/routing/batch-plan';
import { planObjectLoad, resolveObjectLoad } from '../../../src/routing/plan';
import { decideColumns } from '../../../src/routing/staged-columns';
import { stagedQuerySql, transformProbeSql } from '../../../src/routing/staged-sql';
import type { LoadPlan, StagedWrite } from '../../../src/types';
import { objectRef, rulesFrom } from './rules';

const ctx = { runtimeProject: 'run-proj' };

async function stagedPlan(route: string, top = ''): Promise<LoadPlan> {
  const rules = await rulesFrom(
    `${top}routes:\n  - name: orders\n    match: gs://landing/sales/**.csv\n    destination: sales.orders$20260101\n${route}`.replace(
      '$20260101',
      '',
    ),
  );
  const decision = planObjectLoad(rules, objectRef(), ctx);
  if (decision.kind !== 'load') throw new Error(JSON.stringify(decision));
  return decision.plan;
}

describe('staged plans', () => {
  it('load into a staging table named from the job id, truncated, and plan the query <id>_q', async () => {
    const plan = await stagedPlan(
      '    transform: SELECT id FROM {staging}\n    load: { timePartitioning: { type: DAY } }\n',
    );
    const load = plan.job.configuration.load;
    expect(load.destinationTable).toEqual({
      projectId: 'run-proj',
      datasetId: 'bq_autoloader_staging',
      tableId: plan.jobId,
    });
    expect(load).toMatchObject({
      writeDisposition: 'WRITE_TRUNCATE',
      createDisposition: 'CREATE_IF_NEEDED',
    });
    expect(load.timePartitioning).toBeUndefined();
    expect(plan.staged).toMatchObject({
      destination: { projectId: 'run-proj', datasetId: 'sales', tableId: 'orders' },
      queryJobId: `${plan.jobId}_q`,
      transform: 'SELECT id FROM {staging}',
      create: { options: { timePartitioning: { type: 'DAY' } } },
    });
  });

  it('name staging tables in the configured dataset, and without - (not allowed in table ids)', async () => {
    const rules = await rulesFrom(
      'staging: { dataset: ops-proj.stage }\nroutes:\n  - name: my-orders\n    match: gs://landing/**\n    destination: sales.orders\n    format: CSV\n    dedupe: { key: [id], keep: first }\n',
    );
    const decision = planObjectLoad(rules, objectRef(), ctx);
    if (decision.kind !== 'load') throw new Error('not planned');
    const table = decision.plan.job.configuration.load.destinationTable;
    expect(table.projectId).toBe('ops-proj');
    expect(table.datasetId).toBe('stage');
    expect(table.tableId).toBe(decision.plan.jobId.replace(/-/g, '_'));
    expect(table.tableId).not.toContain('-');
  });

  it('give a retry attempt its own staging table and query', async () => {
    const plan = await stagedPlan('    dedupe: { key: [id], keep: first }\n');
    const second = planAttempt(plan, 2);
    if (typeof second === 'string') throw new Error(second);
    expect(second.jobId).toBe(`${plan.jobId}_a2`);
    expect(second.job.configuration.load.destinationTable.tableId).toBe(`${plan.jobId}_a2`);
    expect(second.staged?.queryJobId).toBe(`${plan.jobId}_a2_q`);
  });

  it('give a batch the staging table of the batch job id', async () => {
    const rules = await rulesFrom(
      'routes:\n  - name: orders\n    match: gs://landing/**\n    destination: sales.orders\n    format: CSV\n    mode: batch\n    dedupe: { key: [id], keep: first }\n',
    );
    const target = resolveObjectLoad(rules, objectRef(), ctx);
    if (target.kind !== 'target') throw new Error('no target');
    const plan = planBatchLoad(target, [objectRef(), objectRef({ name: 'sales/b.csv' })]);
    expect(plan.job.configuration.load.destinationTable.tableId).toBe(plan.jobId);
    expect(plan.staged?.queryJobId).toBe(`${plan.jobId}_q`);
    expect(plan.job.configuration.load.sourceUris).toHaveLength(2);
  });

  it('load evolve and rescue routes with autodetect, so every column of the file reaches staging', async () => {
    const plan = await stagedPlan(
      '    schemaEvolution: rescue\n    schema: { fields: [{ name: id, type: INT64 }] }\n',
    );
    expect(plan.job.configuration.load.autodetect).toBe(true);
    expect(plan.job.configuration.load.schema).toBeUndefined();
    expect(plan.staged?.create?.schema?.fields).toEqual([{ name: 'id', type: 'INT64' }]);
  });

  it("load a transform's staging table with the file's own columns, a dedupe-only one with the route schema", async () => {
    const schema = '    schema: { fields: [{ name: id, type: INT64 }] }\n';
    const transformed = await stagedPlan(
      `${schema}    transform: SELECT CAST(x AS INT64) AS id FROM {staging}\n`,
    );
    expect(transformed.job.configuration.load).toMatchObject({ autodetect: true });
    expect(transformed.job.configuration.load.schema).toBeUndefined();
    const deduped = await stagedPlan(`${schema}    dedupe: { key: [id], keep: first }\n`);
    expect(deduped.job.configuration.load.schema).toEqual({
      fields: [{ name: 'id', type: 'INT64' }],
    });
    expect(deduped.job.configuration.load.autodetect).toBeUndefined();
  });

  it('refuse rescue of a file whose format has no named columns', async () => {
    const rules = await rulesFrom(
      'routes:\n  - name: r\n    match: gs://landing/**\n    destination: sales.orders\n    schemaEvolution: rescue\n',
    );
    const decision = planObjectLoad(rules, objectRef({ name: 'a.parquet' }), ctx);
    expect(decision).toMatchObject({
      kind: 'refused',
      reason: expect.stringContaining('not PARQUET'),
    });
  });

  it('set schemaUpdateOptions and autodetect on an evolve route that loads directly', async () => {
    const plan = await stagedPlan('    schemaEvolution: evolve\n');
    expect(plan.staged).toBeUndefined();
    expect(plan.job.configuration.load).toMatchObject({
      autodetect: true,
      schemaUpdateOptions: ['ALLOW_FIELD_ADDITION', 'ALLOW_FIELD_RELAXATION'],
      destinationTable: { datasetId: 'sales', tableId: 'orders' },
    });
  });
});

const staged: StagedWrite = {
  destination: { projectId: 'p', datasetId: 'sales', tableId: 'orders' },
  staging: { projectId: 'p', datasetId: 'stage', tableId: 'bqal_r_1' },
  queryJobId: 'bqal_r_1_q',
  create: { options: {} },
};
const f = (name: string, type = 'STRING', mode?: 'REQUIRED' | 'NULLABLE') => ({
  name,
  type,
  ...(mode ? { mode } : {}),
});

describe('decideColumns', () => {
  it('writes the destination columns the source has, casting where types differ', () => {
    const decided = decideColumns(
      staged,
      [f('id', 'INTEGER'), f('name'), f('note')],
      [f('ID', 'STRING'), f('name')],
    );
    expect(decided).toEqual({
      ok: true,
      columns: [{ name: 'id', cast: 'INT64' }, { name: 'name' }],
      rescued: [],
    });
  });

  it('refuses unknown columns unless evolve or rescue, naming them', () => {
    const decided = decideColumns(staged, [f('id')], [f('id'), f('extra'), f('more')]);
    expect(decided).toEqual({
      ok: false,
      reason: expect.stringContaining('does not: extra, more'),
    });
  });

  it('evolve adds unknown columns as NULLABLE and relaxes REQUIRED columns the file lacks', () => {
    const decided = decideColumns(
      { ...staged, schemaEvolution: 'evolve' },
      [f('id', 'STRING', 'REQUIRED'), f('gone', 'STRING', 'REQUIRED')],
      [f('id'), f('extra', 'INTEGER', 'REQUIRED')],
    );
    expect(decided).toMatchObject({
      ok: true,
      evolved: [
        f('id', 'STRING', 'REQUIRED'),
        f('gone', 'STRING', 'NULLABLE'),
        f('extra', 'INTEGER', 'NULLABLE'),
      ],
      columns: [{ name: 'id' }, { name: 'extra' }],
    });
  });

  it('rescue names the unknown columns and needs a JSON _rescued column', () => {
    const rescue = { ...staged, schemaEvolution: 'rescue' as const };
    expect(
      decideColumns(rescue, [f('id'), f('_rescued', 'JSON')], [f('id'), f('extra')]),
    ).toMatchObject({
      ok: true,
      rescued: ['extra'],
    });
    expect(decideColumns(rescue, [f('id')], [f('id'), f('extra')])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no JSON column _rescued'),
    });
  });

  it('creates a missing table from the route schema (with _rescued for rescue), else from the source', () => {
    const withSchema = {
      ...staged,
      schemaEvolution: 'rescue' as const,
      create: { schema: { fields: [f('id')] }, options: {} },
    };
    expect(decideColumns(withSchema, undefined, [f('id'), f('x')])).toMatchObject({
      ok: true,
      create: [f('id'), f('_rescued', 'JSON', 'NULLABLE')],
      rescued: ['x'],
    });
    expect(decideColumns(staged, undefined, [f('id'), f('x')])).toMatchObject({
      ok: true,
      create: [f('id'), f('x')],
    });
    const never = { ...staged, create: undefined };
    expect(decideColumns(never, undefined, [f('id')])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('CREATE_NEVER'),
    });
  });

  it('refuses a dedupe whose key or order_by column is missing', () => {
    const dedupe = { ...staged, dedupe: { key: ['id'], keep: 'latest' as const, orderBy: 'ts' } };
    expect(decideColumns(dedupe, [f('id'), f('v')], [f('id'), f('v')])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('ts'),
    });
  });
});

describe('stagedQuerySql', () => {
  it('appends with a column list, replacing {staging} outside strings only', () => {
    const sql = stagedQuerySql(
      { ...staged, transform: "SELECT id, '{staging}' AS note FROM {staging};" },
      [{ name: 'id', cast: 'INT64' }, { name: 'note' }],
    );
    expect(sql).toBe(
      "INSERT INTO `p.sales.orders` (`id`, `note`)\nSELECT CAST(`id` AS INT64) AS `id`, `note` FROM (\nSELECT id, '{staging}' AS note FROM `p.stage.bqal_r_1`\n)",
    );
    expect(transformProbeSql({ ...staged, transform: 'SELECT * FROM {staging}' })).toBe(
      'SELECT * FROM (\nSELECT * FROM `p.stage.bqal_r_1`\n) LIMIT 0',
    );
  });

  it('merges one row per key, updating only newer rows with keep latest', () => {
    const sql = stagedQuerySql(
      { ...staged, dedupe: { key: ['id'], keep: 'latest', orderBy: 'ts' } },
      [{ name: 'id' }, { name: 'ts' }],
    );
    expect(sql).toContain('MERGE `p.sales.orders` AS T');
    expect(sql).toContain('ROW_NUMBER() OVER (PARTITION BY `id` ORDER BY `ts` DESC NULLS LAST)');
    expect(sql).toContain(
      'WHEN MATCHED AND S.`ts` > T.`ts` THEN UPDATE SET `id` = S.`id`, `ts` = S.`ts`',
    );
    expect(sql).toContain('WHEN NOT MATCHED THEN INSERT (`id`, `ts`) VALUES (S.`id`, S.`ts`)');
  });

  it('replaces a row by an older one with keep first, and never updates without order_by', () => {
    const first = { ...staged, dedupe: { key: ['id'], keep: 'first' as const, orderBy: 'ts' } };
    const sql = stagedQuerySql(first, [{ name: 'id' }, { name: 'ts' }]);
    expect(sql).toContain('ORDER BY `ts` ASC NULLS LAST');
    expect(sql).toContain('WHEN MATCHED AND S.`ts` < T.`ts` THEN UPDATE');
    const unordered = { ...staged, dedupe: { key: ['id'], keep: 'first' as const } };
    expect(stagedQuerySql(unordered, [{ name: 'id' }])).not.toContain('WHEN MATCHED');
  });

  it('numbers rows under an alias no written column has', () => {
    const dedupe = { ...staged, dedupe: { key: ['id'], keep: 'first' as const } };
    const sql = stagedQuerySql(dedupe, [{ name: 'id' }, { name: '_BQAL_ROW' }]);
    expect(sql).toContain('AS `_bqal_row_`');
    expect(sql).toContain('WHERE `_bqal_row_` = 1');
  });

  it('drops a final ; and trailing comments of the transform', () => {
    const sql = stagedQuerySql({ ...staged, transform: 'SELECT id FROM {staging}; -- done\n' }, [
      { name: 'id' },
    ]);
    expect(sql).toContain('FROM (\nSELECT id FROM `p.stage.bqal_r_1`\n)');
  });

  it('puts rescued columns into _rescued as a JSON object', () => {
    const rescue = { ...staged, schemaEvolution: 'rescue' as const };
    expect(stagedQuerySql(rescue, [{ name: 'id' }, { name: '_rescued' }], ["it's"])).toBe(
      "INSERT INTO `p.sales.orders` (`id`, `_rescued`)\nSELECT `id`, JSON_OBJECT('it\\'s', `it's`) AS `_rescued` FROM `p.stage.bqal_r_1`",
    );
    expect(stagedQuerySql(rescue, [{ name: 'id' }], [])).toContain(
      'CAST(NULL AS JSON) AS `_rescued`',
    );
  });
});
