/**
 * Where Google's APIs live, read from the environment once. An emulator variable replaces a
 * public endpoint the way Google's own clients read it, so local servers stand in for
 * BigQuery, Cloud Storage and Pub/Sub without the calling code knowing.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/jobs/insert
 * https://cloud.google.com/storage/docs/json_api/v1/objects
 * https://cloud.google.com/pubsub/docs/emulator#accessing_environment_variables
 */

import { type Environment, envBaseUrl } from '../core/env';

export const BIGQUERY_ENDPOINT = 'https://bigquery.googleapis.com';
export const STORAGE_ENDPOINT = 'https://storage.googleapis.com/storage/v1';
export const PUBSUB_ENDPOINT = 'https://pubsub.googleapis.com';

export type GoogleService = 'bigquery' | 'storage' | 'pubsub';

export interface GoogleEndpoints {
  /** The root of `/bigquery/v2/…` (metadata URI) and `/upload/bigquery/v2/…` (upload URI). */
  bigquery: string;
  /** The Storage JSON API up to and including `/storage/v1`. */
  storage: string;
  /** The root of `/v1/projects/…/topics/…:publish`. */
  pubsub: string;
  /**
   * Which services get a bearer token. Google's Storage and Pub/Sub clients send none to an
   * emulator (it wants none); BigQuery requests always carry one, as they did before.
   */
  authenticated: Record<GoogleService, boolean>;
}

/**
 * `BIGQUERY_EMULATOR_HOST` and `PUBSUB_EMULATOR_HOST`: `host:port` (http) or a URL.
 * `STORAGE_EMULATOR_HOST`: the API base used verbatim, e.g. `http://127.0.0.1:PORT/storage/v1`
 * (https:// added when it has no scheme, as @google-cloud/storage does).
 */
export function googleEndpoints(env: Environment = process.env): GoogleEndpoints {
  const storageEmulator = envBaseUrl(env, 'STORAGE_EMULATOR_HOST', 'https');
  const pubsubEmulator = envBaseUrl(env, 'PUBSUB_EMULATOR_HOST');
  return {
    bigquery: bigQueryBaseUrl(env),
    storage: storageEmulator ?? STORAGE_ENDPOINT,
    pubsub: pubsubEmulator ?? PUBSUB_ENDPOINT,
    authenticated: { bigquery: true, storage: !storageEmulator, pubsub: !pubsubEmulator },
  };
}

/** BigQuery's root: the emulator's when `BIGQUERY_EMULATOR_HOST` is set. */
export function bigQueryBaseUrl(env: Environment = process.env): string {
  return envBaseUrl(env, 'BIGQUERY_EMULATOR_HOST') ?? BIGQUERY_ENDPOINT;
}
