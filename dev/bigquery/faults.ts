/**
 * Fault injection for tests of the loader's retry and exactly-once logic: the next matching
 * request(s) get an error status (or a destroyed socket) instead of being served, or are
 * held until the test releases them.
 */
export interface Fault {
  method?: string;
  /** Tested against the request path including its query string. */
  path?: RegExp;
  status?: number;
  reason?: string;
  message?: string;
  /** Destroy the socket instead of answering (a network error for the client). */
  reset?: boolean;
  /** How many matching requests fail; default 1. */
  times?: number;
  /**
   * Serve the request first (the job is created), then answer the fault instead of the
   * result: a response lost on the way back, the case exactly-once logic must survive.
   */
  afterServing?: boolean;
  /**
   * Hold the request until this settles, then go on: serve it (or answer the fault, when
   * `status`, `reason` or `reset` is set too). A request whose client is gone by then (the
   * caller was killed while it waited) is dropped unserved, as if it never arrived: the
   * point between "the caller decided to call" and "BigQuery saw the call".
   */
  hold?: Promise<unknown>;
  /** Called when a request is taken to be held. */
  onHold?: () => void;
}

/** Whether the fault answers something other than the request's own result. */
export function answersFault(fault: Fault): boolean {
  return !fault.hold || fault.status !== undefined || fault.reason !== undefined || !!fault.reset;
}

export class FaultList {
  private faults: { fault: Fault; remaining: number }[] = [];

  add(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) {
      throw new Error(`injectFault: times must be a positive integer, got ${fault.times}`);
    }
    this.faults.push({ fault, remaining: times });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault matching the request, consumed by one. */
  take(method: string, path: string): Fault | undefined {
    const entry = this.faults.find(
      ({ fault }) =>
        (!fault.method || fault.method.toUpperCase() === method.toUpperCase()) &&
        (!fault.path || fault.path.test(path)),
    );
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.faults = this.faults.filter((f) => f !== entry);
    return entry.fault;
  }
}
