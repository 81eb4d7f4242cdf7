/**
 * Batch chunks cut while the listing streams: each load target (group) has one open chunk,
 * sealed as soon as the next member would take it past `maxFiles` or `maxBytes`. A sealed
 * chunk leaves at once (to be claimed and submitted), so a sweep holds at most one open
 * chunk per group, however long the listing. Listings come in name order, so chunks are
 * runs of neighbouring names, as sorting the whole listing first would give.
 */
import type { BatchLimits } from './budget';
import type { BatchGroup, SweepMember } from './members';

export interface Chunk {
  group: BatchGroup;
  members: SweepMember[];
}

interface OpenChunk extends Chunk {
  bytes: number;
}

export interface Chunker {
  /** Adds a member to its group's chunk; returns the chunk it sealed, if any. */
  add(group: BatchGroup, member: SweepMember): Chunk | undefined;
  /** The open chunks left once the listing is done, by group key. */
  rest(): Chunk[];
}

export function createChunker(limits: (route: string) => BatchLimits): Chunker {
  const open = new Map<string, OpenChunk>();
  return {
    add(group, member) {
      let chunk = open.get(group.key);
      if (!chunk) {
        chunk = { group, members: [], bytes: 0 };
        open.set(group.key, chunk);
      }
      const { maxFiles, maxBytes } = limits(group.target.route);
      let sealed: Chunk | undefined;
      // An object larger than maxBytes still gets a chunk of its own: BigQuery decides.
      if (
        chunk.members.length > 0 &&
        (chunk.members.length >= maxFiles || chunk.bytes + member.size > maxBytes)
      ) {
        sealed = { group, members: chunk.members };
        chunk.members = [];
        chunk.bytes = 0;
      }
      chunk.members.push(member);
      chunk.bytes += member.size;
      return sealed;
    },
    rest() {
      return [...open.values()]
        .filter((c) => c.members.length > 0)
        .sort((a, b) => (a.group.key < b.group.key ? -1 : a.group.key > b.group.key ? 1 : 0))
        .map(({ group, members }) => ({ group, members }));
    },
  };
}
