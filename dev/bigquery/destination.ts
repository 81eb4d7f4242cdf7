/** A load's `destinationTable`, with its partition decorator (`table$YYYYMMDD`). */
import { invalid } from './errors';
import { isRecord } from './field-parsers';
import type { Destination, PartitionType } from './load-spec';

const DATASET_ID = /^[A-Za-z0-9_]{1,1024}$/;

const TABLE_ID = /^[\p{L}\p{M}\p{N}\p{Pc}\p{Pd}\p{Zs}]{1,1024}$/u;

const DECORATOR_TYPES: Record<number, PartitionType> = {
  4: 'YEAR',
  6: 'MONTH',
  8: 'DAY',
  10: 'HOUR',
};

/** `table$YYYYMMDD` (or $YYYYMMDDHH, $YYYYMM, $YYYY) → the partition it names. */
export function parseDecorator(decorator: string): { type: PartitionType; start: Date } {
  const type = DECORATOR_TYPES[decorator.length];
  if (!type || !/^\d+$/.test(decorator)) {
    throw invalid(`Invalid partition decorator "$${decorator}"`);
  }
  const year = Number(decorator.slice(0, 4));
  const month = decorator.length >= 6 ? Number(decorator.slice(4, 6)) : 1;
  const day = decorator.length >= 8 ? Number(decorator.slice(6, 8)) : 1;
  const hour = decorator.length >= 10 ? Number(decorator.slice(8, 10)) : 0;
  const start = new Date(Date.UTC(year, month - 1, day, hour));
  if (
    start.getUTCFullYear() !== year ||
    start.getUTCMonth() !== month - 1 ||
    start.getUTCDate() !== day ||
    start.getUTCHours() !== hour
  ) {
    throw invalid(`Invalid partition decorator "$${decorator}": not a valid date`);
  }
  return { type, start };
}

export function parseDestination(value: unknown, defaultProject: string): Destination {
  if (!isRecord(value)) throw invalid('load.destinationTable is required');
  const { projectId = defaultProject, datasetId, tableId } = value;
  if (typeof projectId !== 'string' || typeof datasetId !== 'string') {
    throw invalid('load.destinationTable needs projectId and datasetId strings');
  }
  if (typeof tableId !== 'string') throw invalid('load.destinationTable.tableId is required');
  if (!DATASET_ID.test(datasetId)) throw invalid(`Invalid dataset ID "${datasetId}"`);
  const [table = '', decorator, ...extra] = tableId.split('$');
  if (extra.length > 0 || !TABLE_ID.test(table)) throw invalid(`Invalid table ID "${tableId}"`);
  return {
    projectId,
    datasetId,
    tableId: table,
    ...(decorator === undefined ? {} : { partition: parseDecorator(decorator) }),
  };
}
