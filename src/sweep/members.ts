/** What a sweep keeps of a listed object and of the load target it routes to. */
import type { BatchMember } from '../routing/batch-plan';
import type { ObjectLoadTarget } from '../routing/plan';

/** A member with the metageneration its marker write is conditioned on. */
export type SweepMember = BatchMember & { metageneration: string };

/** Objects that can share one job (batchGroupKey), and the table whose quota they use. */
export interface BatchGroup {
  key: string;
  target: ObjectLoadTarget;
  /** quotaTable of the destination. */
  table: string;
}
