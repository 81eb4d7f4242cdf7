/**
 * What each step of the pipeline returns, and the one decision that turns it into an
 * acknowledgement: every path (objects, requests, inline data, sweeps, completion events)
 * ends in an EventOutcome or a thrown error, and only settle.ts decides ack vs redelivery.
 */
import type { LogFields } from '../log';
import type { PublishedMessage } from '../types';

export type OutcomeSeverity = 'INFO' | 'WARNING' | 'ERROR';

/** The event's one log line; `deadLetter` asks settle.ts to dead-letter the message first. */
export interface EventOutcome {
  severity: OutcomeSeverity;
  message: string;
  fields: LogFields;
  /** The reason a message from another system is refused (it is dead-lettered, then acked). */
  deadLetter?: string;
}

/**
 * What is known about the event so far, filled in by the steps as they learn it, so a retry
 * line names the route and job, and a refused message can be dead-lettered.
 */
export interface Trail {
  fields: LogFields;
  /** A message from another system (requests, inline data, messages nobody claims). */
  message?: PublishedMessage;
  /** The rules' `deadLetterTopic` and `deadLetterStore`, once the rules are known. */
  deadLetterTopic?: string;
  deadLetterStore?: string;
}

export function ignoredOutcome(what: string, reason: string, fields: LogFields = {}): EventOutcome {
  return {
    severity: 'INFO',
    message: `${what} ignored: ${reason}`,
    fields: { outcome: 'ignored', reason, ...fields },
  };
}

export function refusedOutcome(what: string, reason: string, fields: LogFields = {}): EventOutcome {
  return {
    severity: 'WARNING',
    message: `${what} refused: ${reason}`,
    fields: { outcome: 'refused', reason, ...fields },
  };
}

/** A message from another system refused: logged, dead-lettered, acknowledged. */
export function refusedMessage(reason: string, fields: LogFields = {}): EventOutcome {
  return { ...refusedOutcome('message', reason, fields), deadLetter: reason };
}
