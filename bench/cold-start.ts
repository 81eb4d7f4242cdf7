/**
 * Case 1, cold start: process spawn → Functions Framework ready → first finalize event
 * acknowledged. Handlers take turns run by run, so a slow moment of the machine falls on
 * all of them alike.
 */
import { type HandlerSpec, startHandler } from './function-process';
import { sendEvent } from './load';
import { type Summary, summarize } from './stats';

export interface ColdStart {
  handler: string;
  readyMs: Summary;
  firstAckMs: Summary;
}

export async function measureColdStarts(
  handlers: HandlerSpec[],
  env: (spec: HandlerSpec) => Record<string, string>,
  runs: number,
): Promise<ColdStart[]> {
  const ready = handlers.map(() => [] as number[]);
  const ack = handlers.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) {
    for (const [i, spec] of handlers.entries()) {
      const fn = await startHandler(spec, env(spec));
      try {
        const status = await sendEvent(fn.url);
        if (status < 200 || status >= 300)
          throw new Error(`${spec.name}: first event got ${status}`);
        ack[i]?.push(Number(process.hrtime.bigint() - fn.spawnedAt) / 1e6);
        ready[i]?.push(fn.readyMs);
      } finally {
        await fn.stop();
      }
    }
  }
  return handlers.map((spec, i) => ({
    handler: spec.name,
    readyMs: summarize(ready[i] ?? []),
    firstAckMs: summarize(ack[i] ?? []),
  }));
}
