/**
 * The datasets and tables API: list, get, insert, patch (schema additions and relaxations,
 * expiration) and delete. Expired tables are dropped before every answer, so one whose
 * expirationTime has passed is gone (404, not listed), as in BigQuery.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/tables
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/datasets
 */
import type { Catalog } from './catalog';
import { BigQueryApiError, invalid } from './errors';
import { isRecord } from './field-parsers';
import { type IncomingRequest, parseJsonBody, type Reply } from './http';
import {
  datasetList,
  datasetNotFound,
  datasetResource,
  tableList,
  tableNotFound,
  tableResource,
} from './rest-shapes';
import { parseColumns } from './schema-fields';
import { legacyType } from './sql-types';
import { parseDatasetInsert, parseMillis, parseTableInsert } from './table-config';
import { createTable } from './target-table';
import { ident, PARTITION_COLUMN, tableName, type Warehouse } from './warehouse';

export interface CatalogContext {
  warehouse: Warehouse;
  catalog: Catalog;
  clock: () => Date;
}

/** `…/datasets[/D[/tables[/T]]]` after the project. */
export interface CatalogPath {
  projectId: string;
  datasetId?: string;
  sub?: string;
  tableId?: string;
}

async function insertDataset(ctx: CatalogContext, projectId: string, body: unknown) {
  const { datasetId, info } = parseDatasetInsert(body, projectId);
  if ((await ctx.warehouse.datasets()).includes(datasetId)) {
    throw new BigQueryApiError(
      409,
      'duplicate',
      `Already Exists: Dataset ${projectId}:${datasetId}`,
    );
  }
  await ctx.catalog.createDataset(datasetId, info);
  return datasetResource(ctx.warehouse, ctx.catalog, projectId, datasetId);
}

async function insertTable(
  ctx: CatalogContext,
  projectId: string,
  datasetId: string,
  body: unknown,
) {
  const insert = parseTableInsert(body, projectId, datasetId);
  if (await ctx.warehouse.columns(datasetId, insert.tableId)) {
    throw new BigQueryApiError(
      409,
      'duplicate',
      `Already Exists: Table ${projectId}:${datasetId}.${insert.tableId}`,
    );
  }
  const table = tableName(datasetId, insert.tableId);
  await createTable(ctx.warehouse, datasetId, table, insert.columns, insert.partitionType);
  await ctx.catalog.recordTable(datasetId, insert.tableId, ctx.clock().getTime(), {
    ...(insert.expirationMs === undefined ? {} : { expirationMs: insert.expirationMs }),
    extras: insert.extras,
  });
  return tableResource(ctx.warehouse, ctx.catalog, projectId, datasetId, insert.tableId);
}

/**
 * A schema patch may add NULLABLE fields and relax REQUIRED ones; it must keep every field
 * with its type. https://cloud.google.com/bigquery/docs/managing-table-schemas
 */
async function patchSchema(
  ctx: CatalogContext,
  label: string,
  path: Required<CatalogPath>,
  schema: unknown,
) {
  const wanted = parseColumns(schema, 'schema');
  const existing = ((await ctx.warehouse.columns(path.datasetId, path.tableId)) ?? []).filter(
    (c) => c.name !== PARTITION_COLUMN,
  );
  const refuse = (detail: string) =>
    invalid(`Provided Schema does not match Table ${label}. ${detail}`);
  const table = tableName(path.datasetId, path.tableId);
  for (const column of existing) {
    const field = wanted.find((w) => w.name.toLowerCase() === column.name.toLowerCase());
    if (!field) throw refuse(`Field ${column.name} is missing in new schema`);
    if (legacyType(field.duckType) !== legacyType(column.duckType)) {
      throw refuse(
        `Field ${column.name} has changed type from ${legacyType(column.duckType)} to ${legacyType(field.duckType)}`,
      );
    }
    if (field.required && column.nullable) {
      throw refuse(`Field ${column.name} has changed mode from NULLABLE to REQUIRED`);
    }
  }
  const added = wanted.filter(
    (w) => !existing.some((c) => c.name.toLowerCase() === w.name.toLowerCase()),
  );
  const required = added.find((w) => w.required);
  if (required)
    throw refuse(`Cannot add required fields to an existing schema. (field: ${required.name})`);
  await ctx.warehouse.rows('BEGIN TRANSACTION');
  try {
    for (const column of existing) {
      const field = wanted.find((w) => w.name.toLowerCase() === column.name.toLowerCase());
      if (!column.nullable && !field?.required) {
        await ctx.warehouse.rows(
          `ALTER TABLE ${table} ALTER COLUMN ${ident(column.name)} DROP NOT NULL`,
        );
      }
    }
    for (const field of added) {
      await ctx.warehouse.rows(
        `ALTER TABLE ${table} ADD COLUMN ${ident(field.name)} ${field.duckType}`,
      );
    }
    await ctx.warehouse.rows('COMMIT');
  } catch (error) {
    await ctx.warehouse.rows('ROLLBACK');
    throw error;
  }
}

async function patchTable(ctx: CatalogContext, path: Required<CatalogPath>, body: unknown) {
  const { projectId, datasetId, tableId } = path;
  const label = `${projectId}:${datasetId}.${tableId}`;
  const info = await ctx.catalog.table(datasetId, tableId);
  if (!info || !(await ctx.warehouse.columns(datasetId, tableId))) {
    throw tableNotFound(projectId, datasetId, tableId);
  }
  if (!isRecord(body)) throw invalid('The request body must be a Table JSON object');
  for (const key of Object.keys(body)) {
    if (
      ![
        'kind',
        'tableReference',
        'schema',
        'expirationTime',
        'labels',
        'description',
        'friendlyName',
      ].includes(key)
    ) {
      throw invalid(`${key} cannot be patched on the local BigQuery server`);
    }
  }
  if (body.schema !== undefined) await patchSchema(ctx, label, path, body.schema);
  if (body.expirationTime !== undefined) {
    if (body.expirationTime === null) delete info.expirationMs;
    else info.expirationMs = parseMillis(body.expirationTime, 'expirationTime');
  }
  for (const key of ['labels', 'description', 'friendlyName']) {
    if (body[key] !== undefined) info.extras[key] = body[key];
  }
  await ctx.catalog.updateTable(datasetId, tableId, info);
  await ctx.catalog.dropExpired(ctx.clock().getTime());
  return tableResource(ctx.warehouse, ctx.catalog, projectId, datasetId, tableId);
}

async function deleteTable(ctx: CatalogContext, path: Required<CatalogPath>): Promise<Reply> {
  if (!(await ctx.warehouse.columns(path.datasetId, path.tableId))) {
    throw tableNotFound(path.projectId, path.datasetId, path.tableId);
  }
  await ctx.catalog.dropTable(path.datasetId, path.tableId);
  return { status: 204 };
}

async function deleteDataset(
  ctx: CatalogContext,
  projectId: string,
  datasetId: string,
  contents: boolean,
) {
  if (!(await ctx.warehouse.datasets()).includes(datasetId))
    throw datasetNotFound(projectId, datasetId);
  if (!contents && (await ctx.warehouse.tables(datasetId)).length > 0) {
    throw new BigQueryApiError(
      400,
      'resourceInUse',
      `Dataset ${projectId}:${datasetId} is still in use`,
    );
  }
  await ctx.warehouse.rows(`DROP SCHEMA ${ident(datasetId)} CASCADE`);
  await ctx.catalog.forgetDataset(datasetId);
  return { status: 204 };
}

function answer(body: unknown): Reply {
  return { status: 200, body };
}

/** Serves the request when it is a datasets / tables call; undefined otherwise. */
export function routeCatalog(
  ctx: CatalogContext,
  req: IncomingRequest,
  url: URL,
  path: CatalogPath,
): Promise<Reply> | undefined {
  const { projectId, datasetId, sub, tableId } = path;
  const { warehouse, catalog } = ctx;
  const method = req.method;
  let work: (() => Promise<Reply>) | undefined;
  if (datasetId === undefined) {
    if (method === 'GET') work = async () => answer(await datasetList(warehouse, projectId));
    if (method === 'POST')
      work = async () => answer(await insertDataset(ctx, projectId, parseJsonBody(req)));
  } else if (sub === undefined) {
    if (method === 'GET')
      work = async () => answer(await datasetResource(warehouse, catalog, projectId, datasetId));
    const contents = url.searchParams.get('deleteContents') === 'true';
    if (method === 'DELETE') work = () => deleteDataset(ctx, projectId, datasetId, contents);
  } else if (sub === 'tables' && tableId === undefined) {
    if (method === 'GET')
      work = async () => answer(await tableList(warehouse, projectId, datasetId));
    if (method === 'POST') {
      work = async () => answer(await insertTable(ctx, projectId, datasetId, parseJsonBody(req)));
    }
  } else if (sub === 'tables' && tableId !== undefined) {
    const full = { projectId, datasetId, sub, tableId };
    if (method === 'GET')
      work = async () =>
        answer(await tableResource(warehouse, catalog, projectId, datasetId, tableId));
    if (method === 'PATCH')
      work = async () => answer(await patchTable(ctx, full, parseJsonBody(req)));
    if (method === 'DELETE') work = () => deleteTable(ctx, full);
  }
  if (!work) return undefined;
  const run = work;
  return warehouse.exclusive(async () => {
    const now = ctx.clock().getTime();
    await catalog.dropExpired(now);
    // Tables from a warehouse older than the catalog get their metadata now.
    await catalog.adoptNewTables(now);
    return run();
  });
}
