/**
 * Object markers: custom metadata that records which load job owns an object generation.
 * `bq-autoloader-job` = the job id, `bq-autoloader-state` = claimed | submitted | loaded |
 * failed. Every write is pinned with `ifGenerationMatch` (never mark a newer generation)
 * and `ifMetagenerationMatch` (compare-and-set: of two concurrent writers exactly one wins,
 * the other gets HTTP 412). https://cloud.google.com/storage/docs/request-preconditions
 * https://cloud.google.com/storage/docs/json_api/v1/objects/patch
 */
import { gsUriAt } from '../../core/gs-uri';
import { createGoogleEdge, type GoogleEdge } from '../edge';
import { statusOf } from '../errors';
import { type RetryOptions, retryPolicy, withRetry } from '../retry';
import { objectUrl } from './urls';

export const MARKER_JOB = 'bq-autoloader-job';
export const MARKER_STATE = 'bq-autoloader-state';
/** Output rows of a `loaded` job (docs/outcomes.md: What happens to my file). */
export const MARKER_ROWS = 'bq-autoloader-rows';
/** `reason: message` of a `failed` job, cut to fit a metadata value. */
export const MARKER_ERROR = 'bq-autoloader-error';
export const MARKER_STATES = ['claimed', 'submitted', 'loaded', 'failed'] as const;
export type MarkerState = (typeof MARKER_STATES)[number];

export interface Marker {
  jobId: string;
  state: MarkerState;
  rows?: string;
  error?: string;
}

/** The exact object version a marker write is conditioned on. */
export interface MarkerTarget {
  bucket: string;
  name: string;
  generation: string;
  metageneration: string;
}

/**
 * `written`: the marker is on the object, now at `metageneration`. `conflict`: someone else
 * changed the object's metadata first (412). `gone`: that generation no longer exists.
 */
export type MarkResult =
  | { kind: 'written'; metageneration: string }
  | { kind: 'conflict' }
  | { kind: 'gone' };

export interface MarkerWriter {
  write(target: MarkerTarget, marker: Marker): Promise<MarkResult>;
  /**
   * Removes the marker, with the same preconditions: a sweep's claim on an object its job
   * does not hold (the claim's answer was lost). Writers without it leave such claims.
   */
  clear?(target: MarkerTarget): Promise<MarkResult>;
}

/** The marker an object carries, if any (an unknown state counts as none). */
export function markerOf(metadata: Record<string, string> | undefined): Marker | undefined {
  const jobId = metadata?.[MARKER_JOB];
  const state = metadata?.[MARKER_STATE];
  if (!jobId || !(MARKER_STATES as readonly string[]).includes(state ?? '')) return undefined;
  const rows = metadata?.[MARKER_ROWS];
  const error = metadata?.[MARKER_ERROR];
  return {
    jobId,
    state: state as MarkerState,
    ...(rows ? { rows } : {}),
    ...(error ? { error } : {}),
  };
}

/** The custom metadata a marker writes; `null` deletes a key left by an earlier state. */
function markerMetadata(marker: Marker): Record<string, string | null> {
  return {
    [MARKER_JOB]: marker.jobId,
    [MARKER_STATE]: marker.state,
    [MARKER_ROWS]: marker.rows ?? null,
    [MARKER_ERROR]: marker.error ?? null,
  };
}

/** Every marker key set to null: the PATCH that removes a marker. */
const NO_MARKER: Record<string, null> = {
  [MARKER_JOB]: null,
  [MARKER_STATE]: null,
  [MARKER_ROWS]: null,
  [MARKER_ERROR]: null,
};

/** The fields a marker write needs back: the new metageneration (and, to check, the metadata). */
const WRITTEN_FIELDS = 'metageneration';
const CHECK_FIELDS = 'metageneration,metadata';

/** What every write of one writer needs. */
interface WriterContext {
  edge: GoogleEdge;
  retry: ReturnType<typeof retryPolicy>;
  base: string;
}

export function createMarkerWriter(
  options: { edge?: GoogleEdge; retry?: RetryOptions } = {},
): MarkerWriter {
  const edge = options.edge ?? createGoogleEdge();
  const ctx: WriterContext = {
    edge,
    retry: retryPolicy(options.retry),
    get base() {
      return edge.endpoints.storage;
    },
  };
  return {
    write: (target, marker) => patch(ctx, target, markerMetadata(marker)),
    clear: (target) => patch(ctx, target, NO_MARKER),
  };
}

function patch(ctx: WriterContext, target: MarkerTarget, values: Record<string, string | null>) {
  const what = `Cloud Storage ${gsUriAt(target)}`;
  const url = objectUrl(ctx.base, target.bucket, target.name, {
    ifGenerationMatch: target.generation,
    ifMetagenerationMatch: target.metageneration,
    fields: WRITTEN_FIELDS,
  });
  let attempts = 0;
  return withRetry(async ({ deadline }): Promise<MarkResult> => {
    attempts += 1;
    try {
      const answer = await ctx.edge.call({
        service: 'storage',
        method: 'PATCH',
        url,
        json: { metadata: values },
        what,
        deadline,
      });
      const resource = (answer.json() ?? {}) as { metageneration?: unknown };
      return { kind: 'written', metageneration: String(resource.metageneration) };
    } catch (error) {
      const status = statusOf(error);
      // After an attempt whose answer was lost, a 412 may be our own earlier write: the
      // marker is ours if the object carries exactly our values.
      if (status === 412 && attempts > 1) return ourEarlierWrite(ctx, target, values, deadline);
      if (status === 412) return { kind: 'conflict' };
      if (status === 404) return { kind: 'gone' };
      throw error;
    }
  }, ctx.retry);
}

/** `written` when this generation already carries exactly `values`, else `conflict`. */
async function ourEarlierWrite(
  ctx: WriterContext,
  target: MarkerTarget,
  values: Record<string, string | null>,
  deadline: number,
): Promise<MarkResult> {
  const url = objectUrl(ctx.base, target.bucket, target.name, {
    ifGenerationMatch: target.generation,
    fields: CHECK_FIELDS,
  });
  const what = `Cloud Storage ${gsUriAt(target)}`;
  let resource: { metageneration?: unknown; metadata?: unknown };
  try {
    const answer = await ctx.edge.call({ service: 'storage', method: 'GET', url, what, deadline });
    resource = (answer.json() ?? {}) as typeof resource;
  } catch (error) {
    const status = statusOf(error);
    if (status === 412 || status === 404) return { kind: 'gone' };
    throw error;
  }
  const metadata = (resource.metadata ?? {}) as Record<string, unknown>;
  const ours = Object.entries(values).every(([key, value]) => (metadata[key] ?? null) === value);
  return ours
    ? { kind: 'written', metageneration: String(resource.metageneration) }
    : { kind: 'conflict' };
}
