/**
 * The one place that decides an event's fate, at the pipeline's end:
 * - an EventOutcome is logged as the event's one line and acknowledged (the handler returns);
 *   a refused message from another system is dead-lettered first;
 * - a PermanentError (retrying will not fix it: BigQuery or Cloud Storage said so) is logged
 *   as `refused` with its reason and acknowledged (dead-lettered, for a message);
 * - a RetryableError (its in-process budget spent) or any unknown error is logged as `retry`
 *   and thrown, so Eventarc or the push subscription redelivers. A dead letter that cannot
 *   be published is a retry too: the message is redelivered, never dropped.
 */
import { PermanentError, RefusedInputError, RetryableError } from '../errors';
import { sendDeadLetter } from '../gcp/pubsub/dead-letter';
import type { Publisher } from '../gcp/pubsub/publisher';
import type { LogFields } from '../log';
import type { EventOutcome, OutcomeSeverity, Trail } from './event-outcome';

/** Writes the event's outcome line (the handler binds event id, type and trace). */
export type LineWriter = (severity: OutcomeSeverity, message: string, fields: LogFields) => void;

export async function settle(
  run: () => Promise<EventOutcome>,
  trail: Trail,
  publisher: Publisher | undefined,
  write: LineWriter,
): Promise<void> {
  try {
    const outcome = await run().catch((error: unknown) => permanentOutcome(error, trail));
    const final = outcome.deadLetter ? await deadLetter(outcome, trail, publisher) : outcome;
    write(final.severity, final.message, { ...trail.fields, ...final.fields });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const retryable = error instanceof RetryableError;
    write(retryable ? 'WARNING' : 'ERROR', `will be redelivered: ${reason}`, {
      ...trail.fields,
      outcome: 'retry',
      reason: retryable ? reason : `unexpected error: ${reason}`,
    });
    throw error;
  }
}

/** A PermanentError becomes a refusal; anything else is rethrown (redelivery). */
function permanentOutcome(error: unknown, trail: Trail): EventOutcome {
  if (!(error instanceof PermanentError)) throw error;
  const reason = error.message;
  const fields: LogFields = { outcome: 'refused', reason };
  if (trail.message) {
    return {
      severity: 'WARNING',
      message: `message refused: ${reason}`,
      fields,
      deadLetter: reason,
    };
  }
  // A bad command (e.g. a sweep naming an unknown route) is the sender's mistake: WARNING.
  const severity = error instanceof RefusedInputError ? 'WARNING' : 'ERROR';
  return { severity, message: `refused: ${reason}`, fields };
}

async function deadLetter(
  outcome: EventOutcome,
  trail: Trail,
  publisher: Publisher | undefined,
): Promise<EventOutcome> {
  const topic = trail.deadLetterTopic;
  if (!topic || !publisher || !trail.message || !outcome.deadLetter) return outcome;
  const id = await sendDeadLetter(publisher, topic, trail.message, outcome.deadLetter);
  return {
    ...outcome,
    fields: { ...outcome.fields, deadLetterTopic: topic, deadLetterMessageId: id },
  };
}
