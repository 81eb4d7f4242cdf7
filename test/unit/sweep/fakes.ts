/** Test fakes the sweep tests share: one bucket's listing and a marker writer that records. */
import type { ListedObject, ObjectLister } from '../../../src/gcp/storage/listing';
import type { Marker, MarkerTarget, MarkResult } from '../../../src/gcp/storage/markers';

/** An object of bucket `landing` as a listing shows it (generation 7, metageneration 1). */
export function listed(name: string, metadata: Record<string, string> = {}): ListedObject {
  return {
    bucket: 'landing',
    name,
    generation: '7',
    metageneration: '1',
    size: 10,
    metadata,
    timeCreated: '2026-11-28T10:00:00Z',
    updated: '2026-11-28T10:00:00Z',
  };
}

/** Lists `objects` under any prefix asked for, in bucket `landing`. */
export function listerOf(objects: ListedObject[]): ObjectLister {
  return {
    listObjects: async function* (_bucket, prefix) {
      yield objects.filter((o) => o.name.startsWith(prefix));
    },
    listBuckets: async function* () {
      yield ['landing'];
    },
  };
}

/** A marker writer whose every write and clear succeeds (metageneration + 1), recorded. */
export function recordingMarkers() {
  const writes: [MarkerTarget, Marker][] = [];
  const cleared: MarkerTarget[] = [];
  const next = (target: MarkerTarget): MarkResult => ({
    kind: 'written',
    metageneration: String(Number(target.metageneration) + 1),
  });
  return {
    writes,
    cleared,
    markers: {
      write: async (target: MarkerTarget, marker: Marker) => {
        writes.push([target, marker]);
        return next(target);
      },
      clear: async (target: MarkerTarget) => {
        cleared.push(target);
        return next(target);
      },
    },
  };
}
