/**
 * How many request-body bytes this process holds at once. Each request may be 16 MiB and
 * costs about 4× its body while parsed (guard.ts), and an instance serves up to its
 * concurrency at once: 80 × 16 MiB would be far more than a 512 MiB instance has. A request
 * that would pass the budget is answered 429 (Pub/Sub and Eventarc redeliver it later, with
 * backoff) instead of taking the instance down with every request on it. One request is
 * always admitted when nothing else is in flight, so no size within the door's limit starves.
 */
export const DEFAULT_IN_FLIGHT_BYTES = 64 * 1024 * 1024;

export class InFlightBudget {
  private held = 0;

  constructor(readonly limit: number = DEFAULT_IN_FLIGHT_BYTES) {}

  /** Reserves `bytes`; false (nothing reserved) when that would pass the limit. */
  take(bytes: number): boolean {
    if (this.held > 0 && this.held + bytes > this.limit) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }

  get inFlight(): number {
    return this.held;
  }
}
