/**
 * The domain shapes shared by the decoders, the router and the submitters.
 * Pure types: this file imports nothing and is the contract between the edges and the core.
 */

/** How a piece of data reached the loader; a route lists which of these it `accepts`. */
export type InputKind = 'object' | 'request' | 'inline';

/** One generation of one Cloud Storage object, normalized at the edge (int64s as strings). */
export interface ObjectRef {
  bucket: string;
  name: string;
  /** int64 as a decimal string: generations exceed 2^53. */
  generation: string;
  metageneration?: string;
  /** Bytes. A number: objects are < 5 TiB, well inside 2^53. */
  size: number;
  contentType?: string;
  contentEncoding?: string;
  /** Custom metadata (string map); empty when the object has none. */
  metadata: Record<string, string>;
  /** RFC 3339, when known. */
  timeCreated?: string;
}

/** An object generation named by a notification without payload: GCS must be read first. */
export interface ObjectPointer {
  bucket: string;
  name: string;
  generation: string;
}

/** What a decoder makes of one CloudEvent. */
export type DecodedEvent =
  /** `topic`: present when the event came through Pub/Sub (a GCS notification). */
  | { kind: 'object'; object: ObjectRef; via: InputKind; topic?: string }
  | { kind: 'pointer'; pointer: ObjectPointer; via: InputKind; topic?: string }
  | { kind: 'ignored'; reason: string; object?: string }
  | { kind: 'refused'; reason: string; object?: string; message?: PublishedMessage }
  | { kind: 'request'; request: LoadRequest; message: PublishedMessage }
  | { kind: 'inline'; inline: InlineData; message: PublishedMessage }
  | { kind: 'sweep'; command: SweepCommand; topic?: string }
  | { kind: 'job'; job: FinishedJobRef };

/** A load job that finished, as a job-completion event names it (docs/outcomes.md: What happens to my file). */
export interface FinishedJobRef {
  projectId: string;
  jobId: string;
  /** From the audit log entry's resource labels; the rules' location when absent. */
  location?: string;
}

/** A scheduled sweep (docs/sweeps.md): batch loads and catch-up of missed events. */
export interface SweepCommand {
  /** Route names; all routes when absent. */
  routes?: string[];
  /** Objects younger than this are left for their events (and the next sweep). */
  minAgeSeconds: number;
  /** Catch-up ignores objects older than this (default: docs/sweeps.md). */
  maxAgeSeconds?: number;
  /** Plan and report only: no claims, no jobs. */
  dryRun: boolean;
  /** The tick's id, recorded in the sweep's bucket leases (default: the Pub/Sub message id). */
  token?: string;
}

/**
 * A Pub/Sub message as another system published it, kept so a refused request or inline
 * payload can be republished unchanged to the dead-letter topic.
 */
export interface PublishedMessage {
  /** `projects/P/topics/T`, from the CloudEvent source; undefined when it cannot be told. */
  topic?: string;
  messageId?: string;
  publishTime?: string;
  /** Base64, as received. */
  data?: string;
  attributes: Record<string, string>;
}

/** A load request from another system (docs/requests.md). */
export type LoadRequest = (
  | { objects: { bucket: string; name: string }[] }
  | { prefix: { bucket: string; prefix: string } }
) & {
  route?: string;
  /** Set on a chunk of a fanned-out request (events/request-chunks.ts): never split again. */
  chunk?: string;
  /** `kind: retry`: submit the next attempt of each object whose last load failed. */
  retry?: true;
};

/** Inline data: the file's bytes in the message, the route named in its attributes. */
export interface InlineData {
  route: string;
  /** The `format` attribute, normalized to a BigQuery sourceFormat. */
  format?: string;
  gzip: boolean;
  /** The message bytes as sent (still gzipped when `gzip`). */
  bytes: Buffer;
  /** Other attributes (override candidates such as `bq-table`). */
  attributes: Record<string, string>;
}

/** BigQuery `TableReference`. */
export interface TableReference {
  projectId: string;
  datasetId: string;
  /** May carry a partition decorator (`table$20260101`). */
  tableId: string;
}

/** BigQuery `TableFieldSchema` (recursive for RECORD fields). */
export interface TableFieldSchema {
  name: string;
  type: string;
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  description?: string;
  fields?: TableFieldSchema[];
}

/**
 * BigQuery `JobConfigurationLoad`. The rules file validates every field against BigQuery's
 * own list (src/config/load-fields.ts); here the few the loader itself sets are typed.
 */
export interface JobConfigurationLoad {
  destinationTable: TableReference;
  sourceUris?: string[];
  sourceFormat: string;
  schema?: { fields: TableFieldSchema[] };
  autodetect?: boolean;
  [field: string]: unknown;
}

/** The body of `jobs.insert` for a load. https://cloud.google.com/bigquery/docs/reference/rest/v2/Job */
export interface LoadJob {
  jobReference: { projectId: string; jobId: string; location: string };
  configuration: {
    load: JobConfigurationLoad;
    labels: Record<string, string>;
  };
}

/** Everything needed to submit one load job, fully decided by the router. */
export interface LoadPlan {
  route: string;
  /** Project billed for the job (the `projectId` in the jobs.insert URL). */
  projectId: string;
  location: string;
  jobId: string;
  job: LoadJob;
  /** `gs://bucket/name` of the object this plan loads (for logs). */
  object: string;
  /**
   * Snapshot mode: copy `source` (exactly that generation) to `target` before the insert;
   * the job's source URI is the target's (src/core/snapshot.ts).
   */
  snapshot?: {
    source: { bucket: string; name: string; generation: string };
    target: { bucket: string; name: string };
  };
  /**
   * Staged routes (transform, dedupe, schemaEvolution: rescue; docs/transforms.md): the load
   * job writes `staged.staging`; a query job then writes the route's destination.
   */
  staged?: StagedWrite;
}

/** How a staged load's rows reach the route's destination: fully decided by the router. */
export interface StagedWrite {
  /** The route's destination (no partition decorator): the query job writes here. */
  destination: TableReference;
  /** The load job's own table, named from its id (core/job-id.ts stagingTableId). */
  staging: TableReference;
  /** `<load job id>_q` (core/job-id.ts queryJobId). */
  queryJobId: string;
  /** The route's SELECT over `{staging}`; absent: the staging table's rows as they are. */
  transform?: string;
  dedupe?: { key: string[]; keep: 'latest' | 'first'; orderBy?: string };
  /** Absent: as strict (a column the table lacks fails the file). */
  schemaEvolution?: 'strict' | 'evolve' | 'rescue';
  /**
   * How to create the destination when it does not exist (createDisposition
   * CREATE_IF_NEEDED): the route's schema (absent: the columns the query writes) and table
   * options from the load options. Undefined: CREATE_NEVER, a missing table fails the file.
   */
  create?: { schema?: { fields: TableFieldSchema[] }; options: Record<string, unknown> };
}

/** The router's answer for one object. */
export type RouteDecision =
  | { kind: 'load'; plan: LoadPlan }
  | { kind: 'ignored'; reason: string; route?: string }
  | { kind: 'refused'; reason: string; route?: string };

/** How every event ends; exactly one log line carries it. */
export type Outcome =
  | 'submitted'
  | 'duplicate'
  | 'ignored'
  | 'refused'
  | 'retry'
  /** A big load request published back as chunk requests (docs/requests.md: Big requests). */
  | 'fanned-out'
  /** A load's final state was recorded (completion event, `wait`; docs/outcomes.md: What happens to my file). */
  | 'finished'
  /** A retry left an object alone: its last load did not fail (docs/outcomes.md: Retrying a failed load). */
  | 'unchanged';
