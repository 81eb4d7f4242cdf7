/**
 * The handler's branch for job-completion events (handler.ts): one outcome line, and the
 * same ack / redelivery rules as every other event — permanent failures are acknowledged
 * with their reason, retryable ones are thrown so Eventarc redelivers.
 */
import { PermanentError } from '../errors';
import type { OutcomeDeps } from '../outcomes/after-submit';
import { finishJobFromEvent } from '../outcomes/job-event';
import type { CompiledRules } from '../routing/compile';
import type { FinishedJobRef } from '../types';
import { type Done, logRedelivery } from './outcome';

export interface JobEventHandlerDeps {
  rules: () => Promise<CompiledRules>;
  outcomes?: OutcomeDeps;
}

export async function handleJobCompleted(
  deps: JobEventHandlerDeps,
  ref: FinishedJobRef,
  done: Done,
): Promise<void> {
  const outcomes = deps.outcomes;
  if (!outcomes?.getLiveObject) {
    const reason = 'job-completion events are not wired in this deployment';
    done('WARNING', `event refused: ${reason}`, { outcome: 'refused', reason, jobId: ref.jobId });
    return;
  }
  try {
    const rules = await deps.rules();
    const { severity, message, fields } = await finishJobFromEvent(
      { ...outcomes, getLiveObject: outcomes.getLiveObject },
      rules,
      ref,
    );
    done(severity, message, fields);
  } catch (error) {
    if (error instanceof PermanentError) {
      done('ERROR', `refused: ${error.message}`, {
        outcome: 'refused',
        reason: error.message,
        jobId: ref.jobId,
      });
      return;
    }
    logRedelivery(done, error, { jobId: ref.jobId });
    throw error;
  }
}
