/** What the local loader executes: a validated load job (load-config.ts builds it). */
import type { SchemaUpdateOptions } from './schema-update';

export type SourceFormat = 'CSV' | 'NEWLINE_DELIMITED_JSON' | 'PARQUET';

export type PartitionType = 'HOUR' | 'DAY' | 'MONTH' | 'YEAR';

export interface ColumnSpec {
  name: string;
  /** A DuckDB type. */
  duckType: string;
  required: boolean;
}

export interface Destination {
  projectId: string;
  datasetId: string;
  /** Without the decorator. */
  tableId: string;
  /** Set for `table$YYYYMMDD`-style destinations: the partition's start (UTC). */
  partition?: { type: PartitionType; start: Date };
}

export interface LoadSpec {
  destination: Destination;
  sourceUris: string[];
  format: SourceFormat;
  columns?: ColumnSpec[];
  autodetect: boolean;
  createDisposition: 'CREATE_IF_NEEDED' | 'CREATE_NEVER';
  writeDisposition: 'WRITE_APPEND' | 'WRITE_TRUNCATE' | 'WRITE_EMPTY';
  /** From `timePartitioning.type`, when the job asks for an ingestion-time partitioned table. */
  partitionType?: PartitionType;
  skipLeadingRows?: number;
  fieldDelimiter: string;
  quote: string;
  nullMarker: string;
  allowJaggedRows: boolean;
  allowQuotedNewlines: boolean;
  encoding: 'utf-8' | 'latin-1';
  maxBadRecords: number;
  ignoreUnknownValues: boolean;
  /** `schemaUpdateOptions`: what an append may change in the table's schema. */
  schemaUpdate: SchemaUpdateOptions;
}

export interface JobSpec {
  projectId: string;
  jobId: string;
  location: string;
  /** The configuration as sent, echoed back in the Job resource. */
  configuration: Record<string, unknown>;
  load: LoadSpec;
}
