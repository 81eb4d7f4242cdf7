/**
 * GoogleSQL → DuckDB translation: token-based (nothing inside a string is SQL), the documented
 * subset translated, everything else refused with the construct named.
 */
import { translateStatement } from '../../../dev/bigquery/sql/statement';
import { strptimeFormats } from '../../../dev/bigquery/sql/timestamp-format';
import { type Harness, PROJECT, queryJobBody, startHarness } from './helpers';

const NOW = new Date('2026-05-06T07:08:09.123Z');
const sql = (text: string) => translateStatement(text, NOW).sql;

describe('names', () => {
  it.each([
    ['`p.d.t`'],
    ['`p`.`d`.`t`'],
    ['`d.t`'],
    ['`d`.`t`'],
    ['d.t'],
    ['p.d.t'],
    ['`my-project:x.d.t`'],
  ])('reads the table path %s as "d"."t"', (path) => {
    const translated = translateStatement(`SELECT * FROM ${path}`, NOW);

    expect(translated.sql).toBe('SELECT * FROM "d"."t"');
    expect(translated.tables).toMatchObject([{ datasetId: 'd', tableId: 't' }]);
  });

  it('quotes columns and aliases, and reads comma-joined tables', () => {
    expect(sql('SELECT T.`id`, `at`, total FROM `d.t` AS T, e.u WHERE T.x = 1')).toBe(
      'SELECT "T"."id" , "at" , "total" FROM "d"."t" AS "T" , "e"."u" WHERE "T"."x" = 1',
    );
  });

  it('adds the INTO and FROM that GoogleSQL lets DML omit', () => {
    expect(sql('INSERT `d.t` (a) VALUES (1)')).toBe('INSERT INTO "d"."t" ("a") VALUES (1)');
    expect(sql('DELETE d.t WHERE TRUE')).toBe('DELETE FROM "d"."t" WHERE TRUE');
  });
});

describe('literals and comments', () => {
  it('never reads SQL inside strings or comments', () => {
    expect(
      sql(`SELECT 'a; DROP TABLE x -- \`p.d.t\`', "it\\'s", r'\\d', '''multi
line''' -- SELECT QUALIFY
      /* UNNEST; */ FROM d.t # trailing`),
    ).toBe(`SELECT 'a; DROP TABLE x -- \`p.d.t\`' , 'it''s' , '\\d' , 'multi\nline' FROM "d"."t"`);
  });

  it('reads 1.5 as FLOAT64, hex as an integer, typed literals as casts', () => {
    expect(sql("SELECT 1.5, 0x1F, 7, TIMESTAMP '2026-01-01 00:00:00+00', DATE '2026-01-02'")).toBe(
      "SELECT CAST(1.5 AS DOUBLE) , 31 , 7 , CAST('2026-01-01 00:00:00+00' AS TIMESTAMPTZ) , CAST('2026-01-02' AS DATE)",
    );
  });
});

describe('functions', () => {
  it.each([
    ['CAST(x AS INT64)', 'CAST("x" AS BIGINT)'],
    ['SAFE_CAST(x AS NUMERIC)', 'TRY_CAST("x" AS DECIMAL(38,9))'],
    ['CAST(x AS DATETIME)', 'CAST("x" AS TIMESTAMP)'],
    ['CAST(x AS TIMESTAMP)', 'CAST("x" AS TIMESTAMPTZ)'],
    ['CAST(x AS BYTES)', 'CAST("x" AS BLOB)'],
    ["JSON_QUERY(j, '$.a[0]')", `json_extract("j", '$.a[0]')`],
    ['PARSE_JSON(s)', 'CAST("s" AS JSON)'],
    ['TO_JSON_STRING(x)', 'CAST(to_json("x") AS VARCHAR)'],
    ["JSON_OBJECT('k', v)", `json_object('k', "v")`],
    ['CURRENT_TIMESTAMP()', "CAST('2026-05-06T07:08:09.123Z' AS TIMESTAMPTZ)"],
    ['CURRENT_TIMESTAMP', "CAST('2026-05-06T07:08:09.123Z' AS TIMESTAMPTZ)"],
    ['IF(a, 1, 2)', '(CASE WHEN "a" THEN 1 ELSE 2 END)'],
    ["CONCAT(a, '-', b)", `("a" || '-' || "b")`],
    ['COUNT(DISTINCT a)', 'count(DISTINCT "a")'],
    ["IFNULL(NULLIF(TRIM(a), ''), LOWER(b))", `ifnull(nullif(trim("a"), ''), lower("b"))`],
  ])('translates %s', (expression, expected) => {
    expect(sql(`SELECT ${expression}`)).toBe(`SELECT ${expected}`);
  });

  it('makes JSON_VALUE NULL for objects and arrays, as GoogleSQL does', () => {
    expect(sql("SELECT JSON_VALUE(j, '$.a')")).toBe(
      `SELECT (CASE WHEN json_type("j", '$.a') IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string("j", '$.a') END)`,
    );
  });

  it.each([
    ['%Y-%m-%d %H:%M:%S', ['%Y-%m-%d %H:%M:%S']],
    ['%F %T', ['%Y-%m-%d %H:%M:%S']],
    ['%Y-%m-%dT%H:%M:%E*S%Ez', ['%Y-%m-%dT%H:%M:%S.%n%z', '%Y-%m-%dT%H:%M:%S%z']],
    ['100%% %Y%z', ['100%% %Y%z']],
  ])('translates the PARSE_TIMESTAMP format %s', (format, formats) => {
    expect(strptimeFormats(format).formats).toEqual(formats);
  });
});

describe('refusals', () => {
  it.each([
    ['SELECT * EXCEPT (a) FROM d.t', 'SELECT * EXCEPT(…)'],
    ['SELECT * REPLACE (1 AS a) FROM d.t', 'SELECT * REPLACE(…)'],
    ['SELECT SAFE.SUBSTR(a, 1) FROM d.t', 'The SAFE. prefix'],
    ['SELECT FORMAT("%d", 1)', 'The function FORMAT'],
    ['SELECT x FROM UNNEST(y)', 'UNNEST'],
    ['SELECT STRUCT(1 AS a)', 'STRUCT'],
    ['SELECT ARRAY(SELECT 1)', 'ARRAY'],
    ['SELECT [1, 2]', 'ARRAY literals and subscripts ([…])'],
    ['SELECT a FROM d.t QUALIFY ROW_NUMBER() OVER () = 1', 'QUALIFY'],
    ['DECLARE x INT64', 'Scripting (DECLARE)'],
    ['BEGIN SELECT 1; END', 'Scripting (BEGIN)'],
    ['SELECT 1; SELECT 2', 'Several statements (a script)'],
    ['CREATE TABLE d.t (a INT64)', 'A DDL statement (CREATE TABLE)'],
    ['DROP TABLE d.t', 'A DDL statement (DROP TABLE)'],
    ['SELECT @p', 'A query parameter or system variable (@…)'],
    ["SELECT b'abc'", "A bytes literal (b'…')"],
    ['SELECT CAST(a AS STRING(10))', 'The parameterized type STRING(…)'],
    ["SELECT CAST(a AS STRING FORMAT 'x')", 'CAST … FORMAT'],
    ['SELECT CAST(a AS BIGNUMERIC)', 'The type BIGNUMERIC'],
    ["SELECT PARSE_TIMESTAMP('%Y %j', s)", 'The PARSE_TIMESTAMP format element %j'],
    [
      "SELECT PARSE_TIMESTAMP('%Y', s, 'Europe/Paris')",
      'A PARSE_TIMESTAMP time zone other than UTC',
    ],
    ['SELECT PARSE_TIMESTAMP(f, s)', 'A PARSE_TIMESTAMP format other than a string literal'],
    ["SELECT JSON_VALUE(j, '$..a')", 'The JSON path "$..a"'],
    ['SELECT * FROM `d.t*`', 'A wildcard table'],
    ['SELECT CURRENT_DATE()', 'CURRENT_DATE'],
    ['SELECT a ^ b', 'The bitwise operator ^'],
    ['SELECT a + INTERVAL 1 DAY', 'INTERVAL'],
    ['MERGE d.t T USING d.s S ON T.a = S.a WHEN NOT MATCHED THEN INSERT ROW', 'MERGE … INSERT ROW'],
    ['SELECT `d`.`udf`(1)', 'The function d.udf'],
  ])('refuses %s naming "%s"', (query, construct) => {
    expect(() => translateStatement(query, NOW)).toThrow(
      `${construct} is not supported by the local BigQuery server (bq-autoloader's local stack)`,
    );
  });

  it('answers GoogleSQL errors for UPDATE without WHERE and a table without dataset', () => {
    expect(() => translateStatement('UPDATE d.t SET a = 1', NOW)).toThrow(
      'UPDATE must have a WHERE clause',
    );
    expect(() => translateStatement('DELETE t WHERE TRUE', NOW)).toThrow(
      'Table name "t" missing dataset while no default dataset is set in the request.',
    );
  });
});

describe('translated statements in DuckDB', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it.each([
    ['%Y-%m-%d %H:%M:%S', '2026-01-02 03:04:05', '2026-01-02 03:04:05+00'],
    ['%F %T', '2026-01-02 03:04:05', '2026-01-02 03:04:05+00'],
    ['%Y-%m-%dT%H:%M:%E*S%Ez', '2026-01-02T03:04:05.123456+02:00', '2026-01-02 01:04:05.123456+00'],
    ['%Y-%m-%dT%H:%M:%E*S%Ez', '2026-01-02T03:04:05-01:00', '2026-01-02 04:04:05+00'],
    ['%Y%m%d %H%M%S %z', '20260102 030405 +0100', '2026-01-02 02:04:05+00'],
  ])('PARSE_TIMESTAMP(%j, %j) is %j', async (format, text, expected) => {
    const jobId = `ts_${Buffer.from(format + text).toString('hex')}`;
    const destinationTable = { projectId: PROJECT, datasetId: 'ts', tableId: jobId };
    const query = `SELECT PARSE_TIMESTAMP('${format}', '${text}') AS t, ROW_NUMBER() OVER (ORDER BY x) AS r FROM (SELECT NULL AS x)`;
    await h.insertJob(queryJobBody(jobId, query, { destinationTable }));
    const job = await h.server.waitForJob(PROJECT, jobId);

    expect(job.status.errorResult).toBeUndefined();
    expect(await h.server.query(`SELECT CAST(t AS VARCHAR) AS t FROM ts.${jobId}`)).toEqual([
      { t: expected },
    ]);
  });

  it('sorts NULLs first ascending and last descending, as GoogleSQL does', async () => {
    const destinationTable = { projectId: PROJECT, datasetId: 'ts', tableId: 'nulls' };
    const query =
      'SELECT x, ROW_NUMBER() OVER (ORDER BY x) AS up, ROW_NUMBER() OVER (ORDER BY x DESC) AS down FROM (SELECT 1 AS x UNION ALL SELECT NULL)';
    await h.insertJob(queryJobBody('nulls', query, { destinationTable }));
    await h.server.waitForJob(PROJECT, 'nulls');

    expect(await h.server.query('SELECT x, up, down FROM ts.nulls ORDER BY up')).toEqual([
      { x: null, up: 1, down: 2 },
      { x: 1, up: 2, down: 1 },
    ]);
  });
});
