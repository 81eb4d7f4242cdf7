/**
 * The listing half of a sweep: every listed object is routed like its event would be
 * (first match wins), and kept only as what the sweep must act on — an unclaimed object of a
 * batch route (grouped by load target), a claim of a batch job (for recovery), or an
 * unmarked object of a per-object route (catch-up). Marked objects are counted and dropped,
 * so memory grows with the work of one run, never with the bucket.
 */

import type { ListedObject } from '../gcp/storage/listing';
import { markerOf } from '../gcp/storage/markers';
import { type BatchMember, batchGroupKey } from '../routing/batch-plan';
import type { CompiledRules } from '../routing/compile';
import { type ObjectLoadTarget, resolveObjectLoad } from '../routing/plan';
import type { ObjectRef } from '../types';

/** A member with the metageneration its marker write is conditioned on. */
export type SweepMember = BatchMember & { metageneration: string };

export interface BatchGroup {
  target: ObjectLoadTarget;
  members: SweepMember[];
}

export interface ClaimedJob {
  jobId: string;
  target: ObjectLoadTarget;
  members: SweepMember[];
  /** The latest marker write among the members (epoch ms): the claim's age. */
  claimedAt: number;
}

export interface Collected {
  listed: number;
  matched: number;
  refused: number;
  tooYoung: number;
  tooOld: number;
  marked: number;
  /** Left for a later run: more than this run's budget could load. */
  deferred: number;
  groups: Map<string, BatchGroup>;
  claims: Map<string, ClaimedJob>;
  catchUp: { object: ObjectRef & { metageneration: string }; target: ObjectLoadTarget }[];
}

export interface CollectOptions {
  rules: CompiledRules;
  runtimeProject: string;
  /** Names of the routes this sweep acts on. */
  routes: ReadonlySet<string>;
  now: number;
  minAgeMs: number;
  maxAgeMs: number;
  /** Most members one group keeps (what this run's job budget can load). */
  membersPerGroup: (route: string) => number;
  /** Most per-object catch-up loads in one run. */
  maxCatchUp: number;
}

export function createCollector(options: CollectOptions): {
  add(object: ListedObject): void;
  result: Collected;
} {
  const result: Collected = {
    listed: 0,
    matched: 0,
    refused: 0,
    tooYoung: 0,
    tooOld: 0,
    marked: 0,
    deferred: 0,
    groups: new Map(),
    claims: new Map(),
    catchUp: [],
  };
  const byName = new Map(options.rules.routes.map((r) => [r.name, r]));

  function add(object: ListedObject): void {
    result.listed += 1;
    const target = resolveObjectLoad(options.rules, object, {
      runtimeProject: options.runtimeProject,
    });
    if (target.kind !== 'target') {
      if (target.kind === 'refused' && target.route && options.routes.has(target.route)) {
        result.refused += 1;
      }
      return;
    }
    if (!options.routes.has(target.route)) return;
    result.matched += 1;
    const route = byName.get(target.route);
    const batch = route?.config.mode === 'batch';
    const marker = markerOf(object.metadata);
    const member: SweepMember = {
      bucket: object.bucket,
      name: object.name,
      generation: object.generation,
      metageneration: object.metageneration,
      size: object.size,
    };
    if (batch && marker?.state === 'claimed') {
      const claimedAt = Date.parse(object.updated ?? object.timeCreated ?? '') || 0;
      const job = result.claims.get(marker.jobId);
      if (job) {
        job.members.push(member);
        job.claimedAt = Math.max(job.claimedAt, claimedAt);
      } else {
        result.claims.set(marker.jobId, {
          jobId: marker.jobId,
          target,
          members: [member],
          claimedAt,
        });
      }
      return;
    }
    if (marker) {
      result.marked += 1;
      return;
    }
    const created = Date.parse(object.timeCreated ?? '');
    const age = Number.isNaN(created) ? Number.POSITIVE_INFINITY : options.now - created;
    if (age < options.minAgeMs) {
      result.tooYoung += 1;
      return;
    }
    if (batch) {
      const key = batchGroupKey(target);
      const group = result.groups.get(key) ?? { target, members: [] };
      result.groups.set(key, group);
      if (group.members.length >= options.membersPerGroup(target.route)) {
        result.deferred += 1;
      } else {
        group.members.push(member);
      }
      return;
    }
    if (age > options.maxAgeMs) {
      result.tooOld += 1;
      return;
    }
    if (result.catchUp.length >= options.maxCatchUp) {
      result.deferred += 1;
      return;
    }
    result.catchUp.push({ object, target });
  }

  return { add, result };
}
