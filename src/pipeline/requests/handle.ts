/**
 * A load request from another system: its objects (listed, or read one by one at their
 * current generation) are routed and submitted exactly like finalize events — same job ids,
 * so an object an event already loaded is a `duplicate`. Each object ends in one log line;
 * the caller (handler) writes the summary line, dead-letters refusals and decides ack/retry.
 */

import { PermanentError } from '../../errors';
import { MAX_REQUEST_OBJECTS } from '../../events/load-request';
import type { CompiledRules } from '../../routing/compile';
import { planRequestedObject } from '../../routing/request-plan';
import type { LoadRequest, ObjectRef } from '../../types';
import { type ObjectLoadDeps, submitObject } from '../object-load';
import type { LineWriter } from '../settle';

/** Pages of the live objects under a prefix (src/gcp/storage/listing.ts in production). */
export type ListPrefix = (bucket: string, prefix: string) => AsyncGenerator<ObjectRef[]>;

/** Objects are claimed and submitted exactly like finalize events (object-load.ts). */
export type RequestDeps = Pick<
  ObjectLoadDeps,
  'insertJob' | 'getLiveObject' | 'markers' | 'findJob'
> & {
  listPrefix: ListPrefix;
};

export interface RequestSummary {
  submitted: number;
  duplicate: number;
  refused: number;
  /** The first refusal reasons (for the summary line and the dead letter). */
  reasons: string[];
  /** True when a prefix held more than MAX_REQUEST_OBJECTS objects (the rest were left). */
  truncated: boolean;
}

/** Objects in flight at once: enough to hide latency, few enough to stay polite to quotas. */
const CONCURRENCY = 8;

export async function processLoadRequest(
  deps: RequestDeps,
  rules: CompiledRules,
  request: LoadRequest,
  ctx: { runtimeProject: string },
  logObject: LineWriter,
): Promise<RequestSummary> {
  const summary: RequestSummary = {
    submitted: 0,
    duplicate: 0,
    refused: 0,
    reasons: [],
    truncated: false,
  };
  const refuse = (uri: string, reason: string, route?: string) => {
    summary.refused += 1;
    if (summary.reasons.length < 3) summary.reasons.push(reason);
    logObject('WARNING', `object refused: ${reason}`, {
      outcome: 'refused',
      reason,
      object: uri,
      route,
    });
  };

  async function one(object: ObjectRef): Promise<void> {
    const uri = `gs://${object.bucket}/${object.name}`;
    const decision = planRequestedObject(rules, object, request.route, ctx);
    if (decision.kind !== 'load') return refuse(uri, decision.reason, decision.route);
    const { plan } = decision;
    try {
      const submitted = await submitObject(deps, object, plan);
      if (submitted.kind === 'refused') {
        const { reason } = submitted.outcome.fields;
        return refuse(uri, String(reason), plan.route);
      }
      if (submitted.failure) return refuse(uri, `${plan.jobId}: ${submitted.failure}`, plan.route);
      summary[submitted.kind] += 1;
      logObject('INFO', `load job ${submitted.kind}: ${plan.jobId}`, {
        outcome: submitted.kind,
        object: uri,
        route: plan.route,
        jobId: plan.jobId,
        claim: submitted.claim,
      });
    } catch (error) {
      // Retrying will not fix it: this object is refused, the request's other objects go on.
      if (!(error instanceof PermanentError)) throw error;
      refuse(uri, `load refused: ${error.message}`, plan.route);
    }
  }

  async function named(ref: { bucket: string; name: string }): Promise<void> {
    const uri = `gs://${ref.bucket}/${ref.name}`;
    // Checked before any read: a publisher must not learn about buckets it may not reach.
    if (!rules.allowBucket(ref.bucket)) {
      return refuse(uri, `bucket "${ref.bucket}" is not in allow.buckets`);
    }
    let object: ObjectRef | undefined;
    try {
      object = await deps.getLiveObject(ref.bucket, ref.name);
    } catch (error) {
      // Retrying will not fix it (403, bad resource): this object is refused, the rest go on.
      if (!(error instanceof PermanentError)) throw error;
      return refuse(uri, `Cloud Storage refused the read: ${error.message}`);
    }
    if (!object) return refuse(uri, `${uri} does not exist`);
    return one(object);
  }

  if ('objects' in request) {
    await pool(request.objects, named);
    return summary;
  }
  const { bucket, prefix } = request.prefix;
  if (!rules.allowBucket(bucket)) {
    refuse(`gs://${bucket}/${prefix}`, `bucket "${bucket}" is not in allow.buckets`);
    return summary;
  }
  let seen = 0;
  const pages = deps.listPrefix(bucket, prefix);
  while (true) {
    let next: IteratorResult<ObjectRef[]>;
    try {
      next = await pages.next();
    } catch (error) {
      // A listing that can never succeed (403, no such bucket) refuses the prefix.
      if (!(error instanceof PermanentError)) throw error;
      refuse(`gs://${bucket}/${prefix}`, `Cloud Storage refused the listing: ${error.message}`);
      return summary;
    }
    if (next.done) break;
    const page = next.value;
    const room = MAX_REQUEST_OBJECTS - seen;
    // Folder placeholders and empty objects are not data: skipped silently in a listing.
    const objects = page.filter((o) => o.size > 0 && !o.name.endsWith('/')).slice(0, room);
    seen += objects.length;
    await pool(objects, one);
    if (seen >= MAX_REQUEST_OBJECTS) {
      summary.truncated = true;
      break;
    }
  }
  return summary;
}

/**
 * Runs `work` over `items`, CONCURRENCY at a time. On the first failure no new item starts;
 * the ones in flight finish, then the failure is thrown (the request is redelivered, and
 * what was already submitted comes back as `duplicate`).
 */
async function pool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  if (failure) throw failure.error;
}
