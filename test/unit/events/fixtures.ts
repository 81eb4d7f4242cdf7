/** Reads a captured-style event from test/fixtures/events; every call returns a fresh copy. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', 'fixtures', 'events');

export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

/** A fixture whose `data` (or nested message) the test is about to change. */
export function fixtureData(name: string): {
  event: Record<string, unknown>;
  data: Record<string, unknown>;
} {
  const event = fixture(name);
  return { event, data: event.data as Record<string, unknown> };
}
