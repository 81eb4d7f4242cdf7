/**
 * A job-completion event (BigQuery audit log) finishes the loads of that job to the same
 * final state as the in-process wait would (src/outcomes/job-event.ts) and becomes one line.
 */
import type { OutcomeDeps } from '../outcomes/after-submit';
import { finishJobFromEvent } from '../outcomes/job-event';
import type { CompiledRules } from '../routing/compile';
import type { FinishedJobRef } from '../types';
import { type EventOutcome, refusedOutcome, type Trail } from './event-outcome';

export async function finishJobEvent(
  rules: () => Promise<CompiledRules>,
  runtimeProject: () => Promise<string>,
  outcomes: OutcomeDeps | undefined,
  ref: FinishedJobRef,
  trail: Trail,
): Promise<EventOutcome> {
  trail.fields.jobId = ref.jobId;
  if (!outcomes?.getLiveObject) {
    return refusedOutcome('event', 'job-completion events are not wired in this deployment');
  }
  return finishJobFromEvent(
    { ...outcomes, getLiveObject: outcomes.getLiveObject, runtimeProject },
    await rules(),
    ref,
  );
}
