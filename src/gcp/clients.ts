/**
 * Every Google client the function uses, built on ONE edge: one token provider, one set of
 * keep-alive connections, one retry policy. src/index.ts wires these into the pipeline.
 */
import { type BigQueryClient, createBigQueryClient } from './bigquery/client';
import { createStagedCalls, type StagedCalls } from './bigquery/staged-calls';
import { createUploadClient, type UploadClient } from './bigquery/upload';
import { createGoogleEdge, type GoogleEdge, type GoogleEdgeOptions } from './edge';
import { createPublisher, type Publisher } from './pubsub/publisher';
import type { RetryOptions } from './retry';
import { createObjectChanges, type ObjectChanges } from './storage/changes';
import { createObjectLister, type ObjectLister } from './storage/listing';
import { createMarkerWriter, type MarkerWriter } from './storage/markers';
import { createObjectReader, type ObjectReader } from './storage/objects';
import { createObjectWriter, type ObjectWriter } from './storage/writes';

export interface GoogleClients {
  edge: GoogleEdge;
  bigquery: BigQueryClient;
  /** Tables, dry runs and query jobs of staged loads (transform, dedupe, rescue). */
  staged: StagedCalls;
  /** jobs.insert with the data in the request (inline payloads). */
  uploads: UploadClient;
  objects: ObjectReader;
  /** Markers need roles/storage.objectUser on the buckets they mark. */
  markers: MarkerWriter;
  lister: ObjectLister;
  /** Post-load copies and deletes: roles/storage.objectUser on source and target buckets. */
  changes: ObjectChanges;
  /** New objects (originals of oversize dead letters): roles/storage.objectCreator. */
  writer: ObjectWriter;
  /** Dead letters and notifications: roles/pubsub.publisher on the topic. */
  publisher: Publisher;
  /** The runtime project (GOOGLE_CLOUD_PROJECT, else the credential's), cached. */
  runtimeProject(): Promise<string>;
}

export function createGoogleClients(
  settings: { retry: RetryOptions },
  options: GoogleEdgeOptions = {},
): GoogleClients {
  const edge = createGoogleEdge(options);
  const { retry } = settings;
  const bigquery = createBigQueryClient({ edge, retry });
  return {
    edge,
    bigquery,
    staged: createStagedCalls(edge, bigquery.getJob, { retry }),
    uploads: createUploadClient({
      edge,
      retry,
      getJob: (projectId, jobId, location) => bigquery.getJob(projectId, jobId, location),
    }),
    objects: createObjectReader({ edge, retry }),
    markers: createMarkerWriter({ edge, retry }),
    lister: createObjectLister({ edge, retry }),
    changes: createObjectChanges({ edge, retry }),
    writer: createObjectWriter({ edge, retry }),
    publisher: createPublisher({ edge, retry }),
    runtimeProject: () => edge.tokens.projectId(),
  };
}
