/**
 * One sweep per bucket at a time. Before a sweep lists a bucket it takes the bucket's lease
 * (src/gcp/storage/lease.ts: an object created with ifGenerationMatch=0, recording the
 * tick's token); a bucket whose lease another sweep holds — another scheduler's tick, or a
 * second delivery of the same tick — is left alone and reported in `busy`. The leases are
 * given back when the run ends; one whose sweep died is taken over once it is older than
 * the claim grace period, the same age after which that sweep's claims are recovered.
 * Cloud Storage refusing the lease for good (a 403 creating it; a retention policy or hold
 * refusing the delete of a stale one) skips that bucket, reported in `skipped`, like a
 * refused listing; a retryable failure stops the run.
 */
import { PermanentError } from '../errors';
import type { Lease } from '../gcp/storage/lease';
import type { SweepRun } from './context';

export interface BucketLeases {
  /** Whether this run may work in `bucket` (taking its lease the first time it is asked). */
  mayList(bucket: string): Promise<boolean>;
  /** Gives every lease back; one that cannot be deleted goes stale after the grace period. */
  releaseAll(): Promise<void>;
}

export function bucketLeases(run: SweepRun): BucketLeases {
  const store = run.deps.leases;
  const decided = new Map<string, boolean>();
  const held: Lease[] = [];
  const skip = (reason: string) => {
    run.summary.skipped = [...(run.summary.skipped ?? []), reason];
  };
  return {
    async mayList(bucket) {
      // A dry run writes nothing, so it needs no lease (and takes none from a real sweep).
      if (!store || run.dryRun) return true;
      const known = decided.get(bucket);
      if (known !== undefined) return known;
      let result: Awaited<ReturnType<typeof store.acquire>>;
      try {
        result = await store.acquire(bucket, run.token, run.graceMs, run.now);
      } catch (error) {
        if (!(error instanceof PermanentError)) throw error;
        decided.set(bucket, false);
        skip(`gs://${bucket}: sweep lease refused: ${error.message}`);
        return false;
      }
      const ours = result.kind === 'held';
      decided.set(bucket, ours);
      if (result.kind === 'held') held.push(result.lease);
      else {
        const by = `held by sweep ${result.holder}${result.since ? ` since ${result.since}` : ''}`;
        run.summary.busy = [...(run.summary.busy ?? []), `gs://${bucket}: ${by}`];
      }
      return ours;
    },
    async releaseAll() {
      if (!store) return;
      await Promise.all(
        held.map((lease) =>
          store.release(lease).catch((error: unknown) => {
            // Retryable or not, the lease goes stale after the grace period; a refusal for
            // good is reported (it will be refused again at the takeover).
            if (error instanceof PermanentError) {
              skip(`gs://${lease.bucket}: sweep lease not given back: ${error.message}`);
            }
          }),
        ),
      );
    },
  };
}
