/**
 * Cases 2 and 3, per-event cost and memory: one warm process per handler, events at
 * concurrency 1 and 80 (Cloud Run's default), several bounded runs each. Events per second
 * come from the load generator; CPU per event from the server's own /proc counters; peak RSS
 * (VmHWM) once all runs are done.
 */
import { type HandlerSpec, startHandler } from './function-process';
import { runLoad } from './load';
import { cpuMs, peakRssBytes } from './proc';
import { type Summary, summarize } from './stats';

export interface ThroughputOptions {
  concurrencies: number[];
  runs: number;
  maxEvents: (concurrency: number) => number;
  maxMs: number;
  warmupEvents: number;
}

export interface Throughput {
  handler: string;
  concurrency: number;
  eventsPerSecond: Summary;
  cpuMsPerEvent: Summary;
  events: number;
  failed: number;
}

export interface HandlerCost {
  handler: string;
  runs: Throughput[];
  peakRssMiB: number;
  /** jobs.insert calls seen by the BigQuery endpoint per event answered (expect 1). */
  insertsPerEvent: number;
  /** Cloud Storage requests (marker patches, object reads) per event answered. */
  storageRequestsPerEvent: number;
}

/** Requests the local endpoints have answered so far. */
export interface RequestCounters {
  inserts(): number;
  storageRequests(): number;
}

export async function measureThroughput(
  spec: HandlerSpec,
  env: Record<string, string>,
  counters: RequestCounters,
  options: ThroughputOptions,
): Promise<HandlerCost> {
  const fn = await startHandler(spec, env);
  try {
    // Warm-up: token fetched, code paths compiled, sockets open.
    await runLoad(fn.url, 10, options.warmupEvents, 10_000);
    const insertsBefore = counters.inserts();
    const storageBefore = counters.storageRequests();
    let answered = 0;
    const runs: Throughput[] = [];
    for (const concurrency of options.concurrencies) {
      const eps: number[] = [];
      const cpu: number[] = [];
      let events = 0;
      let failed = 0;
      for (let run = 0; run < options.runs; run++) {
        const cpuBefore = cpuMs(fn.pid);
        const result = await runLoad(
          fn.url,
          concurrency,
          options.maxEvents(concurrency),
          options.maxMs,
        );
        const cpuUsed = cpuMs(fn.pid) - cpuBefore;
        eps.push((result.events / result.elapsedMs) * 1000);
        cpu.push(cpuUsed / result.events);
        events += result.events;
        failed += result.failed;
      }
      answered += events;
      runs.push({
        handler: spec.name,
        concurrency,
        eventsPerSecond: summarize(eps),
        cpuMsPerEvent: summarize(cpu),
        events,
        failed,
      });
    }
    return {
      handler: spec.name,
      runs,
      peakRssMiB: peakRssBytes(fn.pid) / 2 ** 20,
      insertsPerEvent: (counters.inserts() - insertsBefore) / answered,
      storageRequestsPerEvent: (counters.storageRequests() - storageBefore) / answered,
    };
  } finally {
    await fn.stop();
  }
}
