/**
 * The listing half of a sweep: every listed object is routed like its event would be
 * (first match wins) and becomes what the sweep must act on — a member of its batch group's
 * open chunk, a member of a claim (for recovery), or an unmarked object of a per-object
 * route or one whose claim was abandoned (catch-up) — or only a count. Sealed chunks leave at once; claims and catch-up are
 * bounded by earlier runs' work and MAX_CATCH_UP_PER_RUN, so memory never grows with the
 * bucket.
 */

import { objectJobId } from '../core/job-id';
import type { ListedObject } from '../gcp/storage/listing';
import { markerOf } from '../gcp/storage/markers';
import { type ObjectLoadTarget, resolveObjectLoad } from '../routing/plan';
import type { ObjectRef } from '../types';
import { type Chunk, createChunker } from './chunks';
import type { SweepRun } from './context';
import { createGroupIndex } from './groups';
import type { BatchGroup, SweepMember } from './members';

export interface ClaimedJob {
  jobId: string;
  group: BatchGroup;
  members: SweepMember[];
  /** The latest marker write among the members (epoch ms): the claim's age. */
  claimedAt: number;
  /** A job of this run's budget was set aside for it when it was first listed. */
  reserved: boolean;
}

export interface CatchUp {
  object: ObjectRef & { metageneration: string };
  target: ObjectLoadTarget;
}

export interface Collector {
  /** Routes one listed object; returns a batch chunk it sealed, if any. */
  add(object: ListedObject): Chunk | undefined;
  claims: Map<string, ClaimedJob>;
  catchUp: CatchUp[];
  /** The batch chunks still open once the listing is done. */
  rest(): Chunk[];
}

export interface CollectOptions {
  minAgeMs: number;
  maxAgeMs: number;
  /** Most per-object catch-up loads in one run. */
  maxCatchUp: number;
}

export function createCollector(run: SweepRun, options: CollectOptions): Collector {
  const { summary, budget } = run;
  const selected = new Set(run.routes.map((r) => r.name));
  const batchRoutes = new Set(
    run.routes.filter((r) => r.config.mode === 'batch').map((r) => r.name),
  );
  const chunker = createChunker(run.limits);
  const { groupOf } = createGroupIndex();
  const claims = new Map<string, ClaimedJob>();
  const catchUp: CatchUp[] = [];
  const ctx = { runtimeProject: run.deps.runtimeProject };

  function addClaim(jobId: string, group: BatchGroup, member: SweepMember, at: number): void {
    const claim = claims.get(jobId);
    if (claim) {
      claim.members.push(member);
      claim.claimedAt = Math.max(claim.claimedAt, at);
      return;
    }
    // Recovery goes before new batches: a claim that looks abandoned takes its job now,
    // before chunks sealed later in the listing spend the table's budget.
    const reserved =
      run.now - at >= run.graceMs && budget.take(group.table, run.perRun(group.target.route));
    claims.set(jobId, { jobId, group, members: [member], claimedAt: at, reserved });
  }

  function add(object: ListedObject): Chunk | undefined {
    summary.listed += 1;
    const target = resolveObjectLoad(run.routing, object, ctx);
    if (target.kind !== 'target') {
      if (target.kind === 'refused' && target.route && selected.has(target.route)) {
        summary.refused += 1;
      }
      return undefined;
    }
    if (!selected.has(target.route)) return undefined;
    summary.matched += 1;
    const batch = batchRoutes.has(target.route);
    const marker = markerOf(object.metadata);
    if (batch && marker?.state === 'claimed') {
      const at = Date.parse(object.updated ?? object.timeCreated ?? '') || 0;
      addClaim(marker.jobId, groupOf(target), memberOf(object), at);
      return undefined;
    }
    if (marker && !(marker.state === 'claimed' && isOwnStaleClaim(run, object, target))) {
      summary.marked += 1;
      return undefined;
    }
    const created = Date.parse(object.timeCreated ?? '');
    const age = Number.isNaN(created) ? Number.POSITIVE_INFINITY : run.now - created;
    if (age < options.minAgeMs) {
      summary.tooYoung += 1;
      return undefined;
    }
    if (batch) {
      const group = groupOf(target);
      // The table has no job left in this run: counted, not kept.
      if (budget.left(group.table, run.perRun(target.route)) <= 0) {
        summary.deferred += 1;
        return undefined;
      }
      return chunker.add(group, memberOf(object));
    }
    if (age > options.maxAgeMs) summary.tooOld += 1;
    else if (catchUp.length >= options.maxCatchUp) summary.deferred += 1;
    else catchUp.push({ object, target });
    return undefined;
  }

  return { add, claims, catchUp, rest: chunker.rest };
}

/**
 * A per-object route's claim older than the grace period, under the id its event would use:
 * the instance died between claim and insert and the trigger gave up. Caught up with the
 * same id (BigQuery answers 409 if the insert did happen), so the object is not left out.
 */
function isOwnStaleClaim(run: SweepRun, object: ListedObject, target: ObjectLoadTarget): boolean {
  const marker = markerOf(object.metadata);
  const at = Date.parse(object.updated ?? '') || 0;
  if (!marker || run.now - at < run.graceMs) return false;
  const key = { bucket: object.bucket, name: object.name, generation: object.generation };
  return marker.jobId === objectJobId({ ...key, route: target.route });
}

function memberOf(object: ListedObject): SweepMember {
  return {
    bucket: object.bucket,
    name: object.name,
    generation: object.generation,
    metageneration: object.metageneration,
    size: object.size,
  };
}
