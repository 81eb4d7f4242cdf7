/**
 * A load request from another system: its objects (listed, or read one by one at their
 * current generation) are routed and submitted exactly like finalize events — same job ids,
 * so an object an event already loaded is a `duplicate`. Each object ends in one log line;
 * the caller (external.ts) turns the summary into the event's outcome.
 */

import { gsUri } from '../../core/gs-uri';
import { mapLimit } from '../../core/pool';
import { PermanentError } from '../../errors';
import { MAX_REQUEST_OBJECTS } from '../../events/load-request';
import { markerOf } from '../../gcp/storage/markers';
import type { CompiledRules } from '../../routing/compile';
import { planRequestedObject } from '../../routing/request-plan';
import type { LoadRequest, ObjectRef } from '../../types';
import { type ObjectLoadDeps, submitObject } from '../object-load';
import { type RetryResult, retryObject } from '../retry';
import type { LineWriter } from '../settle';
import { type ChunkSource, type FannedOut, type FanOutDeps, fanOut } from './fan-out';

/** Pages of the live objects under a prefix (src/gcp/storage/listing.ts in production). */
export type ListPrefix = (bucket: string, prefix: string) => AsyncGenerator<ObjectRef[]>;

/** Objects are claimed and submitted exactly like finalize events (object-load.ts). */
export type RequestDeps = Pick<
  ObjectLoadDeps,
  'insertJob' | 'getLiveObject' | 'markers' | 'findJob'
> & {
  listPrefix: ListPrefix;
  /** Publishing chunks of big requests back to their topic (roles/pubsub.publisher on it). */
  fanOut: FanOutDeps;
};

/** Where the request came from: chunks are published back to the same topic. */
export interface RequestContext extends ChunkSource {
  runtimeProject: string;
}

export interface RequestSummary {
  submitted: number;
  duplicate: number;
  refused: number;
  /** Retry requests: objects whose last load did not fail (nothing to retry). */
  unchanged: number;
  /** The first refusal reasons (for the summary line and the dead letter). */
  reasons: string[];
  /** True when a prefix held more than MAX_REQUEST_OBJECTS objects (the rest were left). */
  truncated: boolean;
  /** Set when the request was split into chunk requests instead of loaded here. */
  fannedOut?: FannedOut;
}

/** Objects in flight at once: enough to hide latency, few enough to stay polite to quotas. */
const CONCURRENCY = 8;

export async function processLoadRequest(
  deps: RequestDeps,
  rules: CompiledRules,
  request: LoadRequest,
  ctx: RequestContext,
  logObject: LineWriter,
): Promise<RequestSummary> {
  const run: RequestRun = { deps, rules, request, ctx, logObject, summary: emptySummary() };
  if ('objects' in request) {
    // A big request is published back as chunks before any object is read (fan-out.ts).
    if (await fanOutIfBig(run, request.objects)) return run.summary;
    const each = request.retry ? retryNamed : loadNamed;
    await mapLimit(request.objects, CONCURRENCY, (ref) => each(run, ref));
  } else {
    let listed = await listPrefix(run, request.prefix.bucket, request.prefix.prefix);
    // A prefix retry looks only at objects a load claimed and did not finish loading.
    if (request.retry) listed = listed.filter(mayHaveFailed);
    if (await fanOutIfBig(run, listed)) return run.summary;
    const each = request.retry ? retryNamed : loadObject;
    await mapLimit(listed, CONCURRENCY, (object) => each(run, object));
  }
  return run.summary;
}

/** One request being processed: what every object's step needs, and the running tally. */
interface RequestRun {
  deps: RequestDeps;
  rules: CompiledRules;
  request: LoadRequest;
  ctx: RequestContext;
  logObject: LineWriter;
  summary: RequestSummary;
}

/** True when the objects went out as chunk requests (fan-out.ts) instead of loading here. */
async function fanOutIfBig(
  run: RequestRun,
  objects: readonly { bucket: string; name: string }[],
): Promise<boolean> {
  const fanned = await fanOut(run.deps.fanOut, run.request, run.ctx, objects);
  if (fanned) run.summary.fannedOut = fanned;
  return fanned !== undefined;
}

function emptySummary(): RequestSummary {
  return { submitted: 0, duplicate: 0, refused: 0, unchanged: 0, reasons: [], truncated: false };
}

function refuse(run: RequestRun, uri: string, reason: string, route?: string): void {
  run.summary.refused += 1;
  if (run.summary.reasons.length < 3) run.summary.reasons.push(reason);
  run.logObject('WARNING', `object refused: ${reason}`, {
    outcome: 'refused',
    reason,
    object: uri,
    route,
  });
}

/** route → claim → insert, like a finalize event; a permanent error refuses this object only. */
async function loadObject(run: RequestRun, object: ObjectRef): Promise<void> {
  const uri = gsUri(object);
  const decision = planRequestedObject(run.rules, object, run.request.route, run.ctx);
  if (decision.kind !== 'load') return refuse(run, uri, decision.reason, decision.route);
  const { plan } = decision;
  try {
    const submitted = await submitObject(run.deps, object, plan);
    if (submitted.kind === 'refused') {
      return refuse(run, uri, String(submitted.outcome.fields.reason), plan.route);
    }
    const { jobId } = submitted.plan;
    if (submitted.failure) return refuse(run, uri, `${jobId}: ${submitted.failure}`, plan.route);
    run.summary[submitted.kind] += 1;
    run.logObject('INFO', `load job ${submitted.kind}: ${jobId}`, {
      outcome: submitted.kind,
      object: uri,
      route: plan.route,
      jobId,
      claim: submitted.claim,
    });
  } catch (error) {
    // Retrying will not fix it: this object is refused, the request's other objects go on.
    if (!(error instanceof PermanentError)) throw error;
    refuse(run, uri, `load refused: ${error.message}`, plan.route);
  }
}

/** An object named in the request, read at its live generation. */
async function loadNamed(run: RequestRun, ref: { bucket: string; name: string }): Promise<void> {
  const uri = gsUri(ref);
  // Checked before any read: a publisher must not learn about buckets it may not reach.
  if (!run.rules.allowBucket(ref.bucket)) {
    return refuse(run, uri, `bucket "${ref.bucket}" is not in allow.buckets`);
  }
  let object: ObjectRef | undefined;
  try {
    object = await run.deps.getLiveObject(ref.bucket, ref.name);
  } catch (error) {
    // Retrying will not fix it (403, bad resource): this object is refused, the rest go on.
    if (!(error instanceof PermanentError)) throw error;
    return refuse(run, uri, `Cloud Storage refused the read: ${error.message}`);
  }
  if (!object) return refuse(run, uri, `${uri} does not exist`);
  return loadObject(run, object);
}

/** Every data object under a prefix, page by page, up to MAX_REQUEST_OBJECTS (in name order). */
async function listPrefix(run: RequestRun, bucket: string, prefix: string): Promise<ObjectRef[]> {
  const where = gsUri({ bucket, name: prefix });
  if (!run.rules.allowBucket(bucket)) {
    refuse(run, where, `bucket "${bucket}" is not in allow.buckets`);
    return [];
  }
  const listed: ObjectRef[] = [];
  const pages = run.deps.listPrefix(bucket, prefix);
  while (true) {
    let next: IteratorResult<ObjectRef[]>;
    try {
      next = await pages.next();
    } catch (error) {
      // A listing that can never succeed (403, no such bucket) refuses the prefix.
      if (!(error instanceof PermanentError)) throw error;
      refuse(run, where, `Cloud Storage refused the listing: ${error.message}`);
      return [];
    }
    if (next.done) return listed;
    // Folder placeholders and empty objects are not data: skipped silently in a listing.
    const objects = next.value
      .filter((o) => o.size > 0 && !o.name.endsWith('/'))
      .slice(0, MAX_REQUEST_OBJECTS - listed.length);
    listed.push(...objects);
    if (listed.length >= MAX_REQUEST_OBJECTS) {
      // One more object than the limit would be needed to know; the limit counts as more.
      run.summary.truncated = true;
      return listed;
    }
  }
}

function mayHaveFailed(object: ObjectRef): boolean {
  const state = markerOf(object.metadata)?.state;
  return state !== undefined && state !== 'loaded';
}

/** The next attempt of an object whose last load failed (retry.ts); one line per object. */
async function retryNamed(run: RequestRun, ref: { bucket: string; name: string }): Promise<void> {
  const uri = gsUri(ref);
  let result: RetryResult;
  try {
    result = await retryObject(run.deps, run.rules, ref, run.ctx);
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    return refuse(run, uri, `retry refused: ${error.message}`);
  }
  if (result.kind === 'refused') return refuse(run, uri, result.reason, result.route);
  if (result.kind === 'unchanged') {
    run.summary.unchanged += 1;
    run.logObject('INFO', `object unchanged: ${result.reason}`, {
      outcome: 'unchanged',
      reason: result.reason,
      object: uri,
      route: result.route,
    });
    return;
  }
  run.summary[result.kind] += 1;
  run.logObject('INFO', `retry ${result.kind}: ${result.plan.jobId}`, {
    outcome: result.kind,
    object: uri,
    route: result.plan.route,
    jobId: result.plan.jobId,
    attempt: result.attempt,
    previousJobId: result.previous,
  });
}
