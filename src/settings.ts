/**
 * Operator settings read from the environment, checked once at start with errors that name
 * the variable (a SettingError: an unreadable setting is never replaced by a default).
 * Rules live in the rules file; these are about the runtime.
 */
import {
  type Environment,
  envBaseUrl,
  envFirst,
  envText,
  envWholeNumber,
  SettingError,
} from './core/env';
import { MAX_BODY_BYTES } from './core/request-limits';
import { MAX_REQUEST_OBJECTS } from './events/load-request';
import { DEFAULT_CHUNK_OBJECTS } from './events/request-chunks';
import type { RetryOptions } from './gcp/retry';

export interface Settings {
  /** The retry policy of every Google call; `budgetMs` is AUTOLOADER_RETRY_BUDGET_MS. */
  retry: RetryOptions;
  /** How long one event may spend retrying, in ms (withEventBudget, src/gcp/budget.ts). */
  retryBudgetMs: number;
  /** Claim each object generation with a marker before its insert (default on). */
  markers: boolean;
  /**
   * `AUTOLOADER_SWEEP_CLAIM_GRACE_SECONDS`: how old a claim must be before a sweep treats it
   * as abandoned and recovers it (default 600). Keep it above the longest sweep run.
   */
  sweepClaimGraceSeconds?: number;
  /**
   * `AUTOLOADER_DEAD_LETTER_RETRY_SECONDS`: how long after its publish time a refused message
   * whose dead letter failed to publish for a transient reason is still redelivered to try
   * again (default 3600). Past it — or at once, for a permanent failure — it is acknowledged
   * with an ERROR line naming the message (src/pipeline/settle.ts).
   */
  deadLetterRetrySeconds: number;
  /**
   * `AUTOLOADER_REQUEST_CHUNK_OBJECTS`: a load request resolving to more objects than this is
   * published back to its topic as chunks of at most this many (default 100, 1 to 10 000;
   * docs/requests.md: Big requests).
   */
  requestChunkObjects: number;
  /**
   * `AUTOLOADER_DOOR_INFLIGHT_BYTES`: request bodies held at once by one instance (default
   * 64 MiB, about 256 MiB of memory while parsed); past it a request is answered 429 and
   * redelivered later (src/door/budget.ts). Raise it with the instance's memory.
   */
  doorInFlightBytes?: number;
}

export const DEFAULT_DEAD_LETTER_RETRY_SECONDS = 3600;

export const DEFAULT_RETRY_BUDGET_MS = 20_000;

/**
 * `AUTOLOADER_RETRY_BUDGET_MS`: how long one event may spend retrying transient failures of
 * BigQuery, Cloud Storage and Pub/Sub, all its calls together, before it is thrown back to
 * the trigger for redelivery (default 20 000 ms). Each request's timeout is clipped to what
 * remains of it. Outside an event (CLI commands, sweeps) each call gets this budget.
 */
export function readSettings(env: Environment = process.env): Settings {
  const budget =
    envWholeNumber(env, 'AUTOLOADER_RETRY_BUDGET_MS', 'milliseconds') ?? DEFAULT_RETRY_BUDGET_MS;
  return {
    retry: { budgetMs: budget },
    retryBudgetMs: budget,
    markers: readMarkers(env),
    deadLetterRetrySeconds:
      envWholeNumber(env, 'AUTOLOADER_DEAD_LETTER_RETRY_SECONDS', 'seconds') ??
      DEFAULT_DEAD_LETTER_RETRY_SECONDS,
    requestChunkObjects: readChunkObjects(env),
    ...optional('doorInFlightBytes', readDoorInFlightBytes(env)),
    ...optional(
      'sweepClaimGraceSeconds',
      envWholeNumber(env, 'AUTOLOADER_SWEEP_CLAIM_GRACE_SECONDS', 'seconds'),
    ),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

/**
 * `AUTOLOADER_MARKERS=off` skips the claim before each insert: one request per event
 * instead of two, but no check that the event's generation is still the live one (an old
 * event arriving after an overwrite loads the newer bytes) and no record on the object. Only
 * for buckets whose objects are never overwritten. Default `on`.
 */
function readMarkers(env: Environment): boolean {
  const value = envText(env, 'AUTOLOADER_MARKERS');
  if (value === undefined || value === 'on') return true;
  if (value === 'off') return false;
  throw new SettingError(
    'AUTOLOADER_MARKERS',
    `AUTOLOADER_MARKERS must be "on" or "off", got "${value}"`,
  );
}

/**
 * At least the door's largest body: below it the instance would serve one request at a time
 * and answer 429 to every other.
 */
export const MIN_DOOR_INFLIGHT_BYTES = MAX_BODY_BYTES;

function readDoorInFlightBytes(env: Environment): number | undefined {
  const name = 'AUTOLOADER_DOOR_INFLIGHT_BYTES';
  const value = envWholeNumber(env, name, 'bytes');
  if (value !== undefined && value < MIN_DOOR_INFLIGHT_BYTES) {
    throw new SettingError(
      name,
      `${name} must be at least ${MIN_DOOR_INFLIGHT_BYTES} (the largest body the door accepts), got ${value}`,
    );
  }
  return value;
}

function readChunkObjects(env: Environment): number {
  const name = 'AUTOLOADER_REQUEST_CHUNK_OBJECTS';
  const value = envWholeNumber(env, name, 'objects') ?? DEFAULT_CHUNK_OBJECTS;
  if (value < 1 || value > MAX_REQUEST_OBJECTS) {
    throw new SettingError(name, `${name} must be 1 to ${MAX_REQUEST_OBJECTS}, got ${value}`);
  }
  return value;
}

export const DEFAULT_CONFIG_LOCATION = './autoloader.yaml';

/** `AUTOLOADER_CONFIG`: the rules file, a path or a gs:// URI (./autoloader.yaml when unset). */
export function configLocation(env: Environment = process.env): string {
  return envText(env, 'AUTOLOADER_CONFIG') ?? DEFAULT_CONFIG_LOCATION;
}

/** What the command line reads from the environment (flags take precedence). */
export interface CliSettings {
  /** `GOOGLE_CLOUD_PROJECT`, else `GCLOUD_PROJECT`: the project jobs are billed to. */
  project?: string;
  /** `AUTOLOADER_LOCAL_DIR`: where `npm start` leaves stack.json (default ./local). */
  localDir: string;
  /** `BIGQUERY_EMULATOR_HOST` as a base URL: the local BigQuery `local query` asks. */
  bigqueryEmulator?: string;
}

export function readCliSettings(env: Environment = process.env): CliSettings {
  const settings: CliSettings = {
    localDir: envText(env, 'AUTOLOADER_LOCAL_DIR') ?? './local',
  };
  const project = envFirst(env, ['GOOGLE_CLOUD_PROJECT', 'GCLOUD_PROJECT']);
  if (project !== undefined) settings.project = project;
  const emulator = envBaseUrl(env, 'BIGQUERY_EMULATOR_HOST');
  if (emulator !== undefined) settings.bigqueryEmulator = emulator;
  return settings;
}
