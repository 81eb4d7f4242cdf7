/**
 * The one place that decides an event's fate, at the pipeline's end:
 * - an EventOutcome is logged as the event's one line and acknowledged (the handler returns);
 *   a refused message from another system is dead-lettered first;
 * - a PermanentError (retrying will not fix it: BigQuery or Cloud Storage said so) is logged
 *   as `refused` with its reason and acknowledged (dead-lettered, for a message);
 * - a RetryableError (its in-process budget spent) or any unknown error is logged as `retry`
 *   and thrown, so Eventarc or the push subscription redelivers.
 * A dead letter that cannot be published is bounded, never a redelivery loop: a transient
 * failure is redelivered while the message is younger than `retrySeconds` (by its Pub/Sub
 * publish time); a permanent one, or a transient one past that age, is acknowledged with an
 * ERROR line that names the message, the refusal and the dead letter's failure.
 */
import { parseGsPrefix } from '../core/gs-uri';
import { PermanentError, RefusedInputError, RetryableError } from '../errors';
import { type DeadLetterStore, sendDeadLetter } from '../gcp/pubsub/dead-letter';
import type { Publisher } from '../gcp/pubsub/publisher';
import type { ObjectWriter } from '../gcp/storage/writes';
import type { LogFields } from '../log';
import type { PublishedMessage } from '../types';
import type { EventOutcome, OutcomeSeverity, Trail } from './event-outcome';

/** Writes the event's outcome line (the handler binds event id, type and trace). */
export type LineWriter = (severity: OutcomeSeverity, message: string, fields: LogFields) => void;

/** What dead-lettering needs besides the rules' `deadLetterTopic` / `deadLetterStore`. */
export interface DeadLetterDeps {
  publisher: Publisher;
  /** Writes the originals of oversize dead letters to `deadLetterStore`. */
  writer?: ObjectWriter;
  /** AUTOLOADER_DEAD_LETTER_RETRY_SECONDS (src/settings.ts). */
  retrySeconds: number;
}

export async function settle(
  run: () => Promise<EventOutcome>,
  trail: Trail,
  deadLetters: DeadLetterDeps | undefined,
  write: LineWriter,
): Promise<void> {
  try {
    const outcome = await run().catch((error: unknown) => permanentOutcome(error, trail));
    const final = outcome.deadLetter ? await deadLetter(outcome, trail, deadLetters) : outcome;
    write(final.severity, final.message, { ...trail.fields, ...final.fields });
  } catch (error) {
    const reason = errorText(error);
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
  deps: DeadLetterDeps | undefined,
): Promise<EventOutcome> {
  const topic = trail.deadLetterTopic;
  const message = trail.message;
  if (!topic || !deps || !message || !outcome.deadLetter) return outcome;
  try {
    const store = storeOf(trail.deadLetterStore, deps.writer);
    // While the message is young a failed store write is retried by redelivery; after that
    // the dead letter goes out cut, without the original, rather than not at all.
    const young = youngerThan(message, deps.retrySeconds);
    const sent = await sendDeadLetter(
      deps.publisher,
      topic,
      message,
      outcome.deadLetter,
      store,
      young ? 'retry' : 'cut',
    );
    const cut = sent.truncated;
    return {
      ...outcome,
      fields: {
        ...outcome.fields,
        deadLetterTopic: topic,
        deadLetterMessageId: sent.messageId,
        ...(cut ? { deadLetterTruncated: cut.problem, originalBytes: cut.originalBytes } : {}),
        ...(cut?.originalUri ? { originalUri: cut.originalUri } : {}),
        ...(cut?.storeError ? { originalStoreError: cut.storeError } : {}),
      },
    };
  } catch (error) {
    const permanent = error instanceof PermanentError;
    // Transient and the message is young: let Pub/Sub redeliver it, and try again then.
    if (!permanent && youngerThan(message, deps.retrySeconds)) throw error;
    const why = permanent
      ? 'a permanent error'
      : `still failing ${deps.retrySeconds} s after the message was published`;
    return {
      severity: 'ERROR',
      message: `message ${message.messageId ?? '(no id)'} refused and acknowledged WITHOUT a dead letter (${why}): ${outcome.deadLetter}`,
      fields: {
        ...outcome.fields,
        messageId: message.messageId,
        deadLetterTopic: topic,
        deadLetterError: errorText(error),
      },
    };
  }
}

function storeOf(
  uri: string | undefined,
  writer: ObjectWriter | undefined,
): DeadLetterStore | undefined {
  const place = uri ? parseGsPrefix(uri) : undefined;
  return place && writer ? { ...place, writer } : undefined;
}

/** Clocks differ; a publish time further ahead than this is forged, not early. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * By the message's Pub/Sub publish time; a message without one, or with one in the future
 * (a forged push could otherwise stay young forever), is never young.
 */
function youngerThan(message: PublishedMessage, seconds: number): boolean {
  const published = message.publishTime ? Date.parse(message.publishTime) : Number.NaN;
  const age = Date.now() - published;
  return Number.isFinite(age) && age > -CLOCK_SKEW_MS && age < seconds * 1000;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
