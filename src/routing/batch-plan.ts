/**
 * Batch loads: many objects of one route and one destination in one load job. Pure.
 * The job id is derived from the route, the sweep run's token and the sorted member list,
 * and written into every member's marker when it is claimed. A later sweep recovering a
 * crashed one never recomputes the id: it reads it from the markers, so a resubmission uses
 * the same id and BigQuery answers 409 `duplicate` instead of loading twice.
 * https://cloud.google.com/bigquery/docs/reference/rest/v2/Job#JobConfigurationLoad
 */

import { gsUri } from '../core/gs-uri';
import { batchJobId, type ObjectGeneration, sortMembers } from '../core/job-id';
import type { LoadJob, LoadPlan } from '../types';
import type { ObjectLoadTarget } from './plan';
import { stageLoad } from './staging';

/** One object generation in a batch. */
export interface BatchMember extends ObjectGeneration {
  size: number;
}

/**
 * Objects whose targets have the same key can share one job: same route, billing project,
 * location, labels and every load option (destination included). Options may differ within
 * one route when object metadata overrides are allowed, so the whole target is the key.
 */
export function batchGroupKey(target: ObjectLoadTarget): string {
  return JSON.stringify([
    target.route,
    target.projectId,
    target.location,
    target.labels,
    target.load,
  ]);
}

/**
 * The load plan for `members` (at least one) under `target`. `jobId` defaults to the id of
 * the member list; a recovering sweep passes the id it found in the markers.
 */
export function planBatchLoad(
  target: ObjectLoadTarget,
  members: readonly BatchMember[],
  jobId: string = batchJobId(target.route, members),
): LoadPlan {
  const sorted = sortMembers(members);
  const first = sorted[0];
  if (!first) throw new Error('a batch load needs at least one member');
  const sourceUris = sorted.map(gsUri);
  const { projectId, location } = target;
  // A staged route's batch loads into a staging table of its own (staging.ts).
  const staging = target.staged ? stageLoad(target.load, target.staged, jobId) : undefined;
  const job: LoadJob = {
    jobReference: { projectId, jobId, location },
    configuration: {
      load: { ...(staging?.load ?? target.load), sourceUris },
      labels: target.labels,
    },
  };
  const more = sorted.length > 1 ? ` (+${sorted.length - 1} more)` : '';
  return {
    route: target.route,
    projectId,
    location,
    jobId,
    job,
    object: `${sourceUris[0]}${more}`,
    ...(staging ? { staged: staging.staged } : {}),
  };
}
