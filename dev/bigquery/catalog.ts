/**
 * What BigQuery keeps about datasets and tables beyond their columns: a dataset's location and
 * default table expiration, a table's creation and expiration time and the resource fields a
 * client set (partitioning, clustering, labels, description). Kept in `main` tables of the
 * warehouse, so a file warehouse remembers them across restarts. Methods are not queued:
 * call them inside `Warehouse.exclusive`.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/datasets#Dataset
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/tables#Table
 */
import { ident, literal, tableName, type Warehouse } from './warehouse';

const DATASETS = 'main.local_bigquery_datasets';
const TABLES = 'main.local_bigquery_tables';

export interface DatasetInfo {
  location: string;
  defaultTableExpirationMs?: number;
}

export interface TableInfo {
  creationMs: number;
  expirationMs?: number;
  /** Resource fields echoed back by tables.get (timePartitioning, clustering, labels…). */
  extras: Record<string, unknown>;
}

function optionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

function sqlNumber(value: number | undefined): string {
  return value === undefined ? 'NULL' : String(Math.trunc(value));
}

export class Catalog {
  constructor(private readonly warehouse: Warehouse) {}

  /** Creates the metadata tables (call once, inside `exclusive`). */
  async open(): Promise<void> {
    await this.warehouse.rows(
      `CREATE TABLE IF NOT EXISTS ${DATASETS} (dataset_id VARCHAR PRIMARY KEY, location VARCHAR, default_table_expiration_ms BIGINT)`,
    );
    await this.warehouse.rows(
      `CREATE TABLE IF NOT EXISTS ${TABLES} (dataset_id VARCHAR, table_id VARCHAR, creation_ms BIGINT, expiration_ms BIGINT, extras JSON, PRIMARY KEY (dataset_id, table_id))`,
    );
  }

  async dataset(datasetId: string): Promise<DatasetInfo | undefined> {
    const { rows } = await this.warehouse.rows(
      `SELECT location, default_table_expiration_ms AS ms FROM ${DATASETS} WHERE dataset_id = ${literal(datasetId)}`,
    );
    const [row] = rows;
    if (!row) return undefined;
    const ms = optionalNumber(row.ms);
    return {
      location: String(row.location),
      ...(ms === undefined ? {} : { defaultTableExpirationMs: ms }),
    };
  }

  /** Creates the dataset (the schema) with its metadata. */
  async createDataset(datasetId: string, info: DatasetInfo): Promise<void> {
    await this.warehouse.rows(`CREATE SCHEMA IF NOT EXISTS ${ident(datasetId)}`);
    await this.warehouse.rows(
      `INSERT OR REPLACE INTO ${DATASETS} VALUES (${literal(datasetId)}, ${literal(info.location)}, ${sqlNumber(info.defaultTableExpirationMs)})`,
    );
  }

  async forgetDataset(datasetId: string): Promise<void> {
    await this.warehouse.rows(`DELETE FROM ${DATASETS} WHERE dataset_id = ${literal(datasetId)}`);
    await this.warehouse.rows(`DELETE FROM ${TABLES} WHERE dataset_id = ${literal(datasetId)}`);
  }

  async table(datasetId: string, tableId: string): Promise<TableInfo | undefined> {
    const { rows } = await this.warehouse.rows(
      `SELECT creation_ms, expiration_ms, extras FROM ${TABLES} WHERE dataset_id = ${literal(datasetId)} AND table_id = ${literal(tableId)}`,
    );
    const [row] = rows;
    if (!row) return undefined;
    const expirationMs = optionalNumber(row.expiration_ms);
    return {
      creationMs: Number(row.creation_ms),
      ...(expirationMs === undefined ? {} : { expirationMs }),
      extras: row.extras ? JSON.parse(String(row.extras)) : {},
    };
  }

  /** Records a table just created; without an expiration, the dataset's default applies. */
  async recordTable(
    datasetId: string,
    tableId: string,
    nowMs: number,
    info: Partial<TableInfo> = {},
  ) {
    const defaultMs = (await this.dataset(datasetId))?.defaultTableExpirationMs;
    const expirationMs =
      info.expirationMs ?? (defaultMs === undefined ? undefined : nowMs + defaultMs);
    await this.warehouse.rows(
      `INSERT OR REPLACE INTO ${TABLES} VALUES (${literal(datasetId)}, ${literal(tableId)}, ${nowMs}, ${sqlNumber(expirationMs)}, ${literal(JSON.stringify(info.extras ?? {}))})`,
    );
  }

  async updateTable(datasetId: string, tableId: string, info: TableInfo): Promise<void> {
    await this.warehouse.rows(
      `UPDATE ${TABLES} SET expiration_ms = ${sqlNumber(info.expirationMs)}, extras = ${literal(JSON.stringify(info.extras))} WHERE dataset_id = ${literal(datasetId)} AND table_id = ${literal(tableId)}`,
    );
  }

  /** Drops the table and what is known about it. */
  async dropTable(datasetId: string, tableId: string): Promise<void> {
    await this.warehouse.rows(`DROP TABLE IF EXISTS ${tableName(datasetId, tableId)}`);
    await this.warehouse.rows(
      `DELETE FROM ${TABLES} WHERE dataset_id = ${literal(datasetId)} AND table_id = ${literal(tableId)}`,
    );
  }

  /**
   * Records the tables created since the last call (by a load or a query) as created at
   * `nowMs`, so they get their dataset's default expiration; forgets dropped ones.
   */
  async adoptNewTables(nowMs: number): Promise<void> {
    const { rows } = await this.warehouse.rows(
      `SELECT t.schema_name AS d, t.table_name AS t FROM duckdb_tables() t
       LEFT JOIN ${TABLES} m ON m.dataset_id = t.schema_name AND m.table_id = t.table_name
       WHERE t.database_name = current_database() AND t.schema_name <> 'main'
         AND NOT t.temporary AND m.table_id IS NULL`,
    );
    for (const row of rows) await this.recordTable(String(row.d), String(row.t), nowMs);
    await this.warehouse.rows(
      `DELETE FROM ${TABLES} m WHERE NOT EXISTS (SELECT 1 FROM duckdb_tables() t WHERE t.database_name = current_database() AND t.schema_name = m.dataset_id AND t.table_name = m.table_id)`,
    );
  }

  /** Drops every table whose expiration time has passed (BigQuery deletes them). */
  async dropExpired(nowMs: number): Promise<void> {
    const { rows } = await this.warehouse.rows(
      `SELECT dataset_id AS d, table_id AS t FROM ${TABLES} WHERE expiration_ms <= ${nowMs}`,
    );
    for (const row of rows) await this.dropTable(String(row.d), String(row.t));
  }
}
