/**
 * A file with a column the table lacks, under each `schemaEvolution` mode (docs/transforms.md),
 * through the built function on the local stack: strict fails the file naming the column,
 * evolve adds it (schemaUpdateOptions on the load), rescue keeps it in the JSON column
 * `_rescued` (through a staging table), and a dedupe route with no mode refuses it naming it.
 */
import { MARKER_ERROR, MARKER_STATE } from '../../src/gcp/storage/markers';
import { binaryStorageEvent, deliver, type TestObject } from '../support/events';
import { functionOnStack } from '../support/function-on-stack';

const BUCKET = 'evo-b';
const SCHEMA = '{ fields: [{ name: id, type: INT64 }, { name: name, type: STRING }] }';
const route = (mode: string, extra = '') => `
  - name: ${mode}
    match: gs://${BUCKET}/${mode}/*.ndjson
    destination: evo.${mode}
    wait: { timeoutSeconds: 60 }
    ${extra}`;
const RULES = `
routes:${route('strict', `schema: ${SCHEMA}\n    schemaEvolution: strict`)}${route('evolve', 'schemaEvolution: evolve')}${route('rescue', `schema: ${SCHEMA}\n    schemaEvolution: rescue`)}${route('dedupe', `schema: ${SCHEMA}\n    dedupe: { key: [id], keep: first }`)}
  - name: rescuecsv
    match: gs://${BUCKET}/rescuecsv/*.csv
    destination: evo.rescuecsv
    wait: { timeoutSeconds: 60 }
    schema: ${SCHEMA}
    schemaEvolution: rescue
    load: { skipLeadingRows: 1 }
`;

const on = functionOnStack(RULES);

function store(name: string, lines: Record<string, unknown>[]): TestObject {
  const text = `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
  const stored = on.stack.gcs.store.insert(BUCKET, name, Buffer.from(text), {});
  return { bucket: BUCKET, name, generation: stored.generation, size: Number(stored.size) };
}

async function load(mode: string, file: string, lines: Record<string, unknown>[]) {
  const event = binaryStorageEvent(store(`${mode}/${file}`, lines));
  return deliver(on.fn, { id: event.headers['ce-id'], ...event });
}

/** The first file fits the table; the second has a column `color` it lacks. */
async function both(mode: string) {
  const first = await load(mode, '1.ndjson', [{ id: 1, name: 'a' }]);
  expect(first).toMatchObject({ state: 'loaded' });
  return load(mode, '2.ndjson', [{ id: 2, name: 'b', color: 'red' }]);
}

async function table(mode: string): Promise<Record<string, unknown>[]> {
  return on.stack.bigquery.query(
    `SELECT * EXCLUDE (id), id::INTEGER AS id FROM evo.${mode} ORDER BY id`,
  );
}

describe('a file with a new column', () => {
  it('strict: the file fails, its error naming the column; the table is unchanged', async () => {
    const line = await both('strict');
    expect(line).toMatchObject({ state: 'failed' });
    expect(String(line.error)).toContain('color');
    expect(on.stack.gcs.store.get(BUCKET, 'strict/2.ndjson').metadata).toMatchObject({
      [MARKER_STATE]: 'failed',
      [MARKER_ERROR]: expect.stringContaining('color'),
    });
    expect(await table('strict')).toEqual([{ name: 'a', id: 1 }]);
  });

  it('evolve: the column is added (NULLABLE) and the row loads', async () => {
    expect(await both('evolve')).toMatchObject({ state: 'loaded', rows: '1' });
    expect(await table('evolve')).toEqual([
      { name: 'a', color: null, id: 1 },
      { name: 'b', color: 'red', id: 2 },
    ]);
  });

  it('rescue: the row loads with the unknown field in _rescued', async () => {
    expect(await both('rescue')).toMatchObject({ state: 'loaded', rows: '1' });
    const rows = await on.stack.bigquery.query(
      'SELECT id::INTEGER AS id, name, _rescued::VARCHAR AS rescued FROM evo.rescue ORDER BY id',
    );
    expect(rows).toEqual([
      { id: 1, name: 'a', rescued: null },
      { id: 2, name: 'b', rescued: '{"color":"red"}' },
    ]);
  });

  it('a dedupe route without a mode: the file fails naming the column, with no query run', async () => {
    const line = await both('dedupe');
    expect(line).toMatchObject({ state: 'failed' });
    expect(String(line.error)).toMatch(/does not: color/);
    expect(await table('dedupe')).toEqual([{ name: 'a', id: 1 }]);
  });

  it('rescue of a CSV file: columns by its header, the unknown one in _rescued', async () => {
    const csv = async (name: string, text: string) => {
      const stored = on.stack.gcs.store.insert(BUCKET, `rescuecsv/${name}`, Buffer.from(text), {});
      const object = {
        bucket: BUCKET,
        name: `rescuecsv/${name}`,
        generation: stored.generation,
        size: Number(stored.size),
      };
      const event = binaryStorageEvent(object);
      return deliver(on.fn, { id: event.headers['ce-id'], ...event });
    };
    expect(await csv('1.csv', 'id,name\n1,a\n')).toMatchObject({ state: 'loaded', rows: '1' });
    expect(await csv('2.csv', 'name,id,color\nb,2,red\n')).toMatchObject({
      state: 'loaded',
      rows: '1',
    });
    const rows = await on.stack.bigquery.query(
      'SELECT id::INTEGER AS id, name, _rescued::VARCHAR AS rescued FROM evo.rescuecsv ORDER BY id',
    );
    expect(rows).toEqual([
      { id: 1, name: 'a', rescued: null },
      { id: 2, name: 'b', rescued: '{"color":"red"}' },
    ]);
  });
});
