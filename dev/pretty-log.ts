/**
 * The local stack's log format: the function writes Cloud Logging JSON (one object per line);
 * `npm start` shows each as one line a person can read — time, severity, outcome, object,
 * message, then the few fields that explain it. `npm start -- --json-logs` keeps the JSON.
 * Lines that are not JSON (the framework's own) pass through unchanged.
 */

/** Fields shown after the message, in this order, when present. */
const SHOWN = ['route', 'destination', 'jobId', 'state', 'rows', 'reason', 'error'] as const;

/** Longer values (an error list) are cut: the JSON (`--json-logs`) has them whole. */
const MAX_VALUE_CHARS = 300;

export function prettyLine(line: string, now: Date = new Date()): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry.severity !== 'string' || typeof entry.message !== 'string') return line;
  const head = [
    clock(now),
    entry.severity.padEnd(7),
    typeof entry.outcome === 'string' ? entry.outcome.padEnd(9) : '',
    typeof entry.object === 'string' ? entry.object : '',
  ].filter((part) => part !== '');
  const details = SHOWN.flatMap((key) => {
    const value = entry[key];
    if (value === undefined || value === null || value === '') return [];
    if (key === 'reason' && String(entry.message).includes(String(value))) return [];
    return [`${key}=${short(value)}`];
  });
  return [...head, '—', entry.message, ...details].join(' ');
}

/** Local wall-clock time, to the millisecond: every line `npm start` prints uses it. */
export function clock(now: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds(), 3)}`;
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}…` : text;
}

/**
 * Splits a stream's chunks into lines and writes each, formatted unless `json`; a partial
 * last line waits for the rest.
 */
export function lineFormatter(
  write: (text: string) => void,
  json: boolean,
): (chunk: Buffer | string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) write(`${json ? line : prettyLine(line)}\n`);
  };
}
