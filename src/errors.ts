/**
 * The two error families that decide an event's fate, shared by every edge (BigQuery,
 * Cloud Storage, Pub/Sub): a RetryableError is worth another attempt later (the handler
 * throws so the trigger redelivers); a PermanentError never will be (the handler logs its
 * reason and acknowledges). Anything else is a bug or an unknown failure: retried by
 * redelivery only, never in-process.
 */

export interface ErrorDetails {
  /** HTTP status, when an answer arrived. */
  status?: number;
  /** The API's error reason (`backendError`, `invalid`…) or the network error code. */
  reason?: string;
  jobId?: string;
  cause?: unknown;
}

abstract class ClassifiedError extends Error {
  readonly status?: number;
  readonly reason?: string;
  jobId?: string;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.reason = details.reason;
    this.jobId = details.jobId;
  }
}

export class RetryableError extends ClassifiedError {}

export class PermanentError extends ClassifiedError {}

/** The input itself is wrong (a bad command): refused at WARNING, never retried. */
export class RefusedInputError extends PermanentError {}
