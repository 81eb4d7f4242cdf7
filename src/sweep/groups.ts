/**
 * Batch groups by load target. batchGroupKey (one JSON text of the whole target) defines a
 * group; building that text for each of a million listed objects costs more than routing
 * them, so targets are looked up by route and destination first and compared field by field,
 * and the key is built once per group.
 */
import { batchGroupKey } from '../routing/batch-plan';
import type { ObjectLoadTarget } from '../routing/plan';
import { quotaTable } from './budget';
import type { BatchGroup } from './members';

export interface GroupIndex {
  groupOf(target: ObjectLoadTarget): BatchGroup;
}

export function createGroupIndex(): GroupIndex {
  const byDestination = new Map<string, BatchGroup[]>();
  return {
    groupOf(target) {
      const t = target.load.destinationTable;
      const head = `${target.route}\n${t.projectId}\n${t.datasetId}\n${t.tableId}`;
      const candidates = byDestination.get(head);
      const found = candidates?.find((g) => sameJson(g.target, target));
      if (found) return found;
      const group = { key: batchGroupKey(target), target, table: quotaTable(t) };
      if (candidates) candidates.push(group);
      else byDestination.set(head, [group]);
      return group;
    },
  };
}

/**
 * Deep equality of JSON-like values, as their JSON texts would compare apart from key order:
 * a property holding `undefined` counts as absent (JSON.stringify drops it).
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let defined = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    defined += 1;
    if (!Object.hasOwn(y, k) || !sameJson(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) defined -= 1;
  return defined === 0;
}
