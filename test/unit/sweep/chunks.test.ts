import type { ObjectLoadTarget } from '../../../src/routing/plan';
import { createChunker } from '../../../src/sweep/chunks';
import { createGroupIndex, sameJson } from '../../../src/sweep/groups';
import type { BatchGroup, SweepMember } from '../../../src/sweep/members';

const limits = { maxFiles: 3, maxBytes: 100, jobsPerDay: 1000, sweepsPerDay: 96 };

function target(over: Partial<ObjectLoadTarget> = {}): ObjectLoadTarget {
  return {
    kind: 'target',
    route: 'events',
    projectId: 'p',
    location: 'EU',
    load: {
      destinationTable: { projectId: 'p', datasetId: 'raw', tableId: 'events' },
      sourceFormat: 'CSV',
    },
    labels: { route: 'events' },
    ...over,
  } as ObjectLoadTarget;
}

const group = (key: string): BatchGroup => ({ key, target: target(), table: 'p.raw.events' });
const member = (name: string, size = 10): SweepMember => ({
  bucket: 'b',
  name,
  generation: '1',
  metageneration: '1',
  size,
});

describe('the streaming chunker', () => {
  const cut = (sizes: number[], maxFiles: number, maxBytes: number) => {
    const chunker = createChunker(() => ({ ...limits, maxFiles, maxBytes }));
    const members = sizes.map((size, i) => member(`f${i}`, size));
    const sealed = members.map((m) => chunker.add(group('g'), m)).filter((c) => c !== undefined);
    return [...sealed, ...chunker.rest()].map((c) => c.members.map((m) => m.size));
  };

  it.each([
    ['by file count', [1, 1, 1, 1, 1], 2, 100, [[1, 1], [1, 1], [1]]],
    [
      'by bytes',
      [4, 4, 4, 1],
      10,
      8,
      [
        [4, 4],
        [4, 1],
      ],
    ],
    ['an oversized object alone (BigQuery decides about it)', [3, 20, 3], 10, 10, [[3], [20], [3]]],
    ['nothing', [], 10, 10, []],
  ])('cuts a group %s', (_what, sizes, maxFiles, maxBytes, expected) => {
    expect(cut(sizes, maxFiles, maxBytes)).toEqual(expected);
  });

  it('seals a chunk only when the next member does not fit, and keeps groups apart', () => {
    const chunker = createChunker(() => limits);
    const seals = ['a', 'b', 'c'].map((n) => chunker.add(group('g1'), member(n)));
    expect(seals).toEqual([undefined, undefined, undefined]);
    expect(chunker.add(group('g0'), member('x'))).toBeUndefined();
    expect(chunker.add(group('g1'), member('d'))?.members.map((m) => m.name)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(chunker.rest().map((c) => [c.group.key, c.members.map((m) => m.name)])).toEqual([
      ['g0', ['x']],
      ['g1', ['d']],
    ]);
  });
});

describe('batch groups', () => {
  it('puts equal targets in one group and a target with other options in another', () => {
    const index = createGroupIndex();
    const a = index.groupOf(target());
    expect(index.groupOf(target())).toBe(a);
    const csvWithHeader = target({
      load: { ...target().load, skipLeadingRows: 1 } as ObjectLoadTarget['load'],
    });
    const b = index.groupOf(csvWithHeader);
    expect(b).not.toBe(a);
    expect(b.key).not.toBe(a.key);
    expect(index.groupOf(target({ labels: { route: 'events', team: 'x' } }))).not.toBe(a);
    expect(a.table).toBe('p.raw.events');
  });

  it.each([
    [{ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [{ a: {} }, { a: [] }, false],
    [{ a: null }, { a: {} }, false],
  ])('compares JSON values: %j vs %j → %s', (x, y, same) => {
    expect(sameJson(x, y)).toBe(same);
  });
});
