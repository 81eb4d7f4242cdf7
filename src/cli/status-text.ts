/** `bq-autoloader status` as text for a person (--json prints the same results as JSON). */
import type { ObjectStatus, RouteStatusSummary, Unmarked } from '../outcomes/status';
import { table } from './output';

export function describeObject(s: ObjectStatus | (ObjectStatus & Unmarked)): string {
  const lines = [`${s.object} (generation ${s.generation})`];
  if (s.state !== 'none') {
    lines.push(`  state:  ${s.state}`);
    if (s.jobId) lines.push(`  job:    ${s.jobId}`);
    if (s.rows) lines.push(`  rows:   ${s.rows}`);
    if (s.error) lines.push(`  error:  ${s.error}`);
    if (s.updated) lines.push(`  marked: ${s.updated}`);
    return lines.join('\n');
  }
  lines.push('  state:  none (no marker: not loaded by the loader yet)');
  if (!('would' in s)) return lines.join('\n');
  if (s.would === 'load') {
    lines.push(
      `  would load: route ${s.route} → ${s.destination}, job ${s.jobId}`,
      '  (its event, a load request or a catch-up sweep loads it)',
    );
  } else {
    lines.push(`  would ${s.would}${s.route ? ` (route ${s.route})` : ''}: ${s.reason}`);
    if (s.closest) {
      lines.push(
        `  no route matches; the closest route ${s.closest.route} (${s.closest.pattern}) differs at ${s.closest.difference}`,
      );
    }
  }
  return lines.join('\n');
}

export function describeRecent(loads: ObjectStatus[], unlisted: string[]): string {
  const rows = loads.map((s) => [
    s.updated ?? '',
    s.state,
    s.rows ?? '',
    s.object,
    s.error ? oneLine(s.error) : '',
  ]);
  const text = rows.length
    ? table(['UPDATED', 'STATE', 'ROWS', 'OBJECT', 'ERROR'], rows)
    : 'no loads yet: no object under the routes carries a marker';
  const skipped = unlisted.length
    ? `\n(not listed: routes with a bucket glob: ${unlisted.join(', ')})`
    : '';
  return text + skipped;
}

export function describeRoute(s: RouteStatusSummary): string {
  const states = Object.entries(s.states)
    .map(([state, n]) => `${n} ${state}`)
    .join(', ');
  const lines = [
    `route ${s.route} since ${s.since}: ${s.objects} objects${states ? ` (${states})` : ''}, ${s.rows} rows loaded`,
  ];
  if (s.failures.length) lines.push('latest failures:');
  for (const f of s.failures) lines.push(`  ${f.object}: ${oneLine(f.error ?? '')}`);
  return lines.join('\n');
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}
