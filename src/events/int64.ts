/**
 * JSON int64 values: Google APIs encode int64 as decimal strings
 * (https://protobuf.dev/programming-guides/json/), but some producers and typings send
 * numbers. Both are accepted and normalized to a decimal string, which keeps generations
 * (> 2^53) exact. A number beyond 2^53 has already lost precision, so it is refused.
 */
import * as z from 'zod';

const DECIMAL = /^(0|[1-9][0-9]*)$/;
const EXPECTED = 'expected a non-negative int64 (decimal string or integer)';

/** A non-negative int64 as a string or a safe integer, normalized to a decimal string. */
export const Int64Schema = z
  .union([z.string(), z.number()], { error: EXPECTED })
  .transform((value, ctx) => {
    const ok =
      typeof value === 'number' ? Number.isSafeInteger(value) && value >= 0 : DECIMAL.test(value);
    if (!ok) {
      ctx.addIssue({ code: 'custom', message: EXPECTED });
      return z.NEVER;
    }
    return String(value);
  });

/** An int64 that must fit a JS number exactly (object sizes: < 5 TiB). */
export const SafeInt64Schema = Int64Schema.transform((value, ctx) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) {
    ctx.addIssue({ code: 'custom', message: 'expected an integer below 2^53' });
    return z.NEVER;
  }
  return n;
});
