/**
 * A sweep command (Cloud Scheduler → Pub/Sub) runs the sweep and becomes one outcome line.
 * A bad command (SweepCommandError) and a permanent failure are thrown to settle.ts like any
 * other error: refused and acknowledged. A run that stopped on a retryable failure is
 * acknowledged with the reason: the next scheduled sweep continues where it stopped.
 */
import type { SweepSummary } from '../sweep/summary';
import type { SweepCommand } from '../types';
import { type EventOutcome, refusedOutcome } from './event-outcome';

export type RunSweep = (command: SweepCommand) => Promise<SweepSummary>;

export async function runSweepCommand(
  sweep: RunSweep | undefined,
  command: SweepCommand,
): Promise<EventOutcome> {
  if (!sweep) return refusedOutcome('sweep command', 'sweeps are not available in this deployment');
  const summary = await sweep(command);
  const { jobs, ...counts } = summary;
  return {
    // A prefix Cloud Storage refused for good needs an operator (a missing role, a bucket gone).
    severity: summary.skipped?.length ? 'ERROR' : summary.error ? 'WARNING' : 'INFO',
    message: `sweep ${summary.dryRun ? 'planned' : 'done'}`,
    fields: {
      outcome: summary.dryRun ? 'ignored' : 'submitted',
      ...counts,
      ...(summary.error ? { reason: summary.error } : {}),
      jobIds: jobs.slice(0, 50).map((j) => `${j.jobId}:${j.outcome}`),
    },
  };
}
