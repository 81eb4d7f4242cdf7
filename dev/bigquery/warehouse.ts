/**
 * The warehouse: one DuckDB database (a file, or `:memory:`) behind one connection. Every
 * use goes through `exclusive`, so loads and queries run one at a time, like a per-warehouse
 * job queue — which also makes each load's transaction simple.
 * BigQuery `dataset.table` = DuckDB schema `dataset`, table `table`.
 * DuckDB runs with external access off: SQL reaches no file but the database and the
 * staging folder (staging.ts), installs or loads no extension, and cannot turn that back on
 * (configuration locked) — the query endpoint takes SQL from whoever can reach it.
 */
import {
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBResultReader,
  StatementType,
} from '@duckdb/node-api';

export type Row = Record<string, unknown>;

export interface ColumnInfo {
  name: string;
  duckType: string;
  nullable: boolean;
  comment: string | null;
}

/** The hidden ingestion-time partition column (BigQuery's `_PARTITIONTIME` pseudo-column). */
export const PARTITION_COLUMN = '_PARTITIONTIME';

/** Quotes a DuckDB identifier. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a DuckDB string literal. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function tableName(datasetId: string, tableId: string): string {
  return `${ident(datasetId)}.${ident(tableId)}`;
}

/**
 * Makes a value JSON-safe: BigInts become numbers when exact (else decimal strings), dates
 * and timestamps ISO-like strings (DuckDB's JSON form), bytes base64.
 */
function jsonSafe(jsValue: unknown, jsonValue: unknown): unknown {
  if (typeof jsValue === 'bigint') {
    return jsValue >= BigInt(Number.MIN_SAFE_INTEGER) && jsValue <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(jsValue)
      : jsValue.toString();
  }
  if (typeof jsValue === 'number' || typeof jsValue === 'boolean' || jsValue === null) {
    return jsValue;
  }
  if (Buffer.isBuffer(jsValue) || jsValue instanceof Uint8Array) {
    return Buffer.from(jsValue).toString('base64');
  }
  return jsonValue;
}

/** BigQuery writes `project.dataset.table` in backticks; DuckDB needs `dataset.table`. */
export function rewriteBackticks(sql: string): string {
  return sql.replace(/`([^`]+)`/g, (_all, name: string) => {
    const parts = name.split('.');
    return parts
      .slice(-2)
      .map((part) => ident(part))
      .join('.');
  });
}

const JOBS_TABLE = 'local_bigquery_jobs';

export interface QueryResult {
  columns: { name: string; duckType: string }[];
  rows: Row[];
}

function resultOf(reader: DuckDBResultReader): QueryResult {
  const names = reader.columnNames();
  const types = reader.columnTypes().map((type) => type.toString());
  const js = reader.getRowsJS();
  const json = reader.getRowsJson();
  const rows = js.map((row, r) => {
    const object: Row = {};
    names.forEach((name, c) => {
      object[name] = jsonSafe(row[c], json[r]?.[c]);
    });
    return object;
  });
  return { columns: names.map((name, c) => ({ name, duckType: types[c] ?? 'VARCHAR' })), rows };
}

export class Warehouse {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /** `stagingDir`: the one folder loads read from (and may write scratch files to). */
  static async open(path: string, stagingDir: string): Promise<Warehouse> {
    const instance = await DuckDBInstance.create(path, {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connection = await instance.connect();
    // BigQuery TIMESTAMPs are UTC.
    await connection.run("SET TimeZone = 'UTC'");
    // GoogleSQL sorts NULLs first ascending and last descending (ROW_NUMBER() OVER (ORDER BY…)
    // must pick the same row); DuckDB's default is NULLS LAST both ways.
    await connection.run("SET default_null_order = 'nulls_first_on_asc_last_on_desc'");
    // Finished jobs, so a job id stays used across restarts of a file warehouse (a
    // redelivered event after a restart must still get 409). Schema `main` is not a dataset.
    await connection.run(
      `CREATE TABLE IF NOT EXISTS main.${JOBS_TABLE} (project_id VARCHAR, job_id VARCHAR, resource JSON, PRIMARY KEY (project_id, job_id))`,
    );
    // In this order: allowed_directories cannot change once external access is off, and
    // nothing can change once the configuration is locked.
    await connection.run(`SET allowed_directories = [${literal(`${stagingDir}/`)}]`);
    await connection.run('SET enable_external_access = false');
    await connection.run('SET lock_configuration = true');
    return new Warehouse(instance, connection);
  }

  /** Runs `work` when every earlier piece of work has finished. */
  exclusive<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const next = this.queue.then(() => work(this.connection));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Runs SQL (not queued: call inside `exclusive`) and answers JSON-safe row objects. */
  async rows(sql: string): Promise<QueryResult> {
    return resultOf(await this.connection.runAndReadAll(sql));
  }

  query(sql: string): Promise<QueryResult> {
    return this.exclusive(() => this.rows(rewriteBackticks(sql)));
  }

  /**
   * One SELECT (or FROM, WITH, VALUES, SHOW, DESCRIBE…: DuckDB types them all SELECT) and
   * nothing else, for the query endpoint: no COPY, ATTACH, DDL or DML. DuckDB's own parser
   * decides what the statement is; external access being off keeps file functions out.
   */
  readOnlyQuery(sql: string): Promise<QueryResult> {
    return this.exclusive(async () => {
      const statements = await this.connection.extractStatements(rewriteBackticks(sql));
      if (statements.count !== 1) throw new Error('Send exactly one SQL statement');
      const prepared = await statements.prepare(0);
      if (prepared.statementType !== StatementType.SELECT) {
        throw new Error(
          `Only read-only queries run here, not ${StatementType[prepared.statementType]}`,
        );
      }
      return resultOf(await prepared.runAndReadAll());
    });
  }

  /** Columns of `dataset.table`, or undefined when it does not exist. */
  async columns(datasetId: string, tableId: string): Promise<ColumnInfo[] | undefined> {
    const { rows } = await this.rows(
      `SELECT column_name, data_type, is_nullable, comment FROM duckdb_columns()
       WHERE database_name = current_database() AND schema_name = ${literal(datasetId)}
         AND table_name = ${literal(tableId)} ORDER BY column_index`,
    );
    if (rows.length === 0) return undefined;
    return rows.map((row) => ({
      name: String(row.column_name),
      duckType: String(row.data_type),
      nullable: row.is_nullable === true,
      comment: row.comment === null || row.comment === '' ? null : String(row.comment),
    }));
  }

  async tables(datasetId: string): Promise<string[]> {
    const { rows } = await this.rows(
      `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()
       AND schema_name = ${literal(datasetId)} ORDER BY table_name`,
    );
    return rows.map((row) => String(row.table_name));
  }

  async datasets(): Promise<string[]> {
    const { rows } = await this.rows(
      `SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database()
       AND NOT internal AND schema_name NOT IN ('main', 'information_schema', 'pg_catalog')
       ORDER BY schema_name`,
    );
    return rows.map((row) => String(row.schema_name));
  }

  async count(datasetId: string, tableId: string, where = 'TRUE'): Promise<number> {
    const { rows } = await this.rows(
      `SELECT count(*) AS n FROM ${tableName(datasetId, tableId)} WHERE ${where}`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Records a finished job (not queued: call inside `exclusive`). */
  async saveJob(projectId: string, jobId: string, resource: unknown): Promise<void> {
    await this.rows(
      `INSERT OR REPLACE INTO main.${JOBS_TABLE} VALUES (${literal(projectId)}, ${literal(jobId)}, ${literal(JSON.stringify(resource))})`,
    );
  }

  /** Every recorded job resource (not queued). */
  async savedJobs(): Promise<
    { jobReference: { projectId: string; jobId: string; location: string } }[]
  > {
    const { rows } = await this.rows(`SELECT resource FROM main.${JOBS_TABLE}`);
    return rows.map((row) => JSON.parse(String(row.resource)));
  }

  async close(): Promise<void> {
    await this.queue;
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
