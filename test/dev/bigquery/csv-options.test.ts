/**
 * CSV load options mapped onto DuckDB's reader, each checked against the rows that land.
 */
import { type Harness, PROJECT, startHarness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const SCHEMA = {
  fields: [
    { name: 'id', type: 'INTEGER' },
    { name: 'label', type: 'STRING' },
  ],
};

let counter = 0;
async function loadCsv(bytes: Buffer | string, options: Record<string, unknown>) {
  counter += 1;
  const table = `t${counter}`;
  h.putObject('opts', `${table}.csv`, bytes);
  await h.insertJob(
    h.loadJob(`csv-${counter}`, {
      sourceUris: [`gs://opts/${table}.csv`],
      destinationTable: { projectId: PROJECT, datasetId: 'opts', tableId: table },
      schema: SCHEMA,
      ...options,
    }),
  );
  const job = await h.server.waitForJob(PROJECT, `csv-${counter}`);
  const rows = job.status.errorResult
    ? []
    : await h.server.query(`SELECT id, label FROM opts.${table} ORDER BY id`);
  return { job, rows };
}

describe('CSV options', () => {
  it.each([
    [
      'fieldDelimiter tab',
      '1\tx\n2\ty\n',
      { fieldDelimiter: '\\t' },
      [
        [1, 'x'],
        [2, 'y'],
      ],
    ],
    ['fieldDelimiter |', '1|x\n', { fieldDelimiter: '|' }, [[1, 'x']]],
    ['skipLeadingRows 2', 'a\nb\n1,x\n', { skipLeadingRows: 2 }, [[1, 'x']]],
    [
      'nullMarker',
      '1,NULL\n2,y\n',
      { nullMarker: 'NULL' },
      [
        [1, null],
        [2, 'y'],
      ],
    ],
    ['the empty-string null default', '1,\n', {}, [[1, null]]],
    ['a custom quote', "1,'a,b'\n", { quote: "'" }, [[1, 'a,b']]],
    [
      'allowJaggedRows',
      '1\n2,y\n',
      { allowJaggedRows: true },
      [
        [1, null],
        [2, 'y'],
      ],
    ],
    [
      'ignoreUnknownValues (extra values)',
      '1,x,extra\n',
      { ignoreUnknownValues: true },
      [[1, 'x']],
    ],
    ['allowQuotedNewlines', '1,"a\nb"\n', { allowQuotedNewlines: true }, [[1, 'a\nb']]],
    [
      'ISO-8859-1 encoding',
      Buffer.from([0x31, 0x2c, 0x63, 0x61, 0x66, 0xe9, 0x0a]),
      { encoding: 'ISO-8859-1' },
      [[1, 'café']],
    ],
  ])('loads with %s', async (_name, bytes, options, expected) => {
    const { job, rows } = await loadCsv(bytes, options);

    expect(job.status.errorResult).toBeUndefined();
    expect(rows).toEqual(expected.map(([id, label]) => ({ id, label })));
  });

  it.each([
    ['a short row without allowJaggedRows', '1\n', {}],
    ['a quoted newline without allowQuotedNewlines', '1,"a\nb"\n', {}],
    ['an extra value without ignoreUnknownValues', '1,x,extra\n', {}],
  ])('fails the job on %s', async (_name, bytes, options) => {
    const { job } = await loadCsv(bytes, options);

    expect(job.status.errorResult?.reason).toBe('invalid');
  });
});
