/**
 * Structured log lines for Cloud Logging: one JSON object per line on stdout.
 * https://cloud.google.com/logging/docs/structured-logging
 * Only named fields are logged — never a whole event or payload (they may hold customer data).
 */
import type { Outcome } from './types';

export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

export interface LogFields {
  outcome?: Outcome;
  reason?: string;
  object?: string;
  route?: string;
  jobId?: string;
  eventId?: string;
  eventType?: string;
  [field: string]: unknown;
}

export type LogSink = (line: string) => void;

let sink: LogSink = (line) => process.stdout.write(`${line}\n`);

/** Redirects log lines (the CLI sends them to stderr so stdout stays machine-readable). */
export function setLogSink(next: LogSink): void {
  sink = next;
}

/**
 * Writes one line. `trace` is the W3C traceparent or X-Cloud-Trace-Context of the request,
 * turned into the field Cloud Logging groups by when the project is known.
 */
export function log(
  severity: Severity,
  message: string,
  fields: LogFields = {},
  trace?: { header?: string; projectId?: string },
): void {
  const entry: Record<string, unknown> = { severity, message: bounded(message) };
  for (const [key, value] of Object.entries(fields)) entry[key] = bounded(value);
  const traceId = trace?.header ? traceIdOf(trace.header) : undefined;
  if (traceId && trace?.projectId) {
    entry['logging.googleapis.com/trace'] = `projects/${trace.projectId}/traces/${traceId}`;
  }
  const labels = labelsOf(fields);
  if (labels) entry['logging.googleapis.com/labels'] = labels;
  sink(JSON.stringify(entry));
}

/**
 * Cloud Logging labels of an outcome line — route, table (the destination without its
 * partition decorator) and outcome — so logs can be filtered and counted by them without
 * parsing the payload. https://cloud.google.com/logging/docs/structured-logging#special-payload-fields
 */
export function labelsOf(fields: LogFields): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  if (typeof fields.outcome === 'string') labels.outcome = fields.outcome;
  if (typeof fields.route === 'string') labels.route = fields.route.slice(0, 63);
  if (typeof fields.destination === 'string') {
    labels.table = fields.destination.split('$')[0]?.slice(0, 1024) ?? '';
  }
  return Object.keys(labels).length > 0 ? labels : undefined;
}

/**
 * Past this, a string is cut: a forged event can name a 10 MB object. Strings in a field and
 * in the arrays and objects a field holds are cut; fields are never nested deeper than that.
 */
const MAX_FIELD_CHARS = 2048;

function bounded(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(boundedString);
  if (
    value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, boundedString(v)]));
  }
  return boundedString(value);
}

function boundedString(value: unknown): unknown {
  if (typeof value !== 'string' || value.length <= MAX_FIELD_CHARS) return value;
  return `${value.slice(0, MAX_FIELD_CHARS)}… (${value.length} characters)`;
}

/** Accepts `traceparent` (00-TRACEID-SPAN-FLAGS) and `X-Cloud-Trace-Context` (TRACEID/SPAN;o=1). */
export function traceIdOf(header: string): string | undefined {
  const w3c = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(header);
  if (w3c) return w3c[1];
  const gcp = /^([0-9a-f]{32})\//.exec(header);
  return gcp?.[1];
}
