import { type IdentifierKind, identifierProblem } from '../../../src/routing/identifiers';

describe('identifierProblem', () => {
  it.each<[IdentifierKind, string]>([
    ['project', 'my-project'],
    ['project', 'proj'],
    ['project', 'example.com:my-project'],
    ['dataset', 'raw_2026'],
    ['dataset', 'A'],
    ['table', 'sales_eu'],
    ['table', 'Verkäufe 2026-01'],
    ['decorator', '2026'],
    ['decorator', '202601'],
    ['decorator', '20260131'],
    ['decorator', '2026013105'],
    ['decorator', '20280229'],
    ['decorator', '2026123123'],
  ])('accepts the %s %s', (kind, value) => {
    expect(identifierProblem(kind, value)).toBeUndefined();
  });

  it.each<[IdentifierKind, string]>([
    ['project', 'My-Project'],
    ['project', 'ends-with-'],
    ['project', 'a'.repeat(31)],
    ['project', '1project'],
    ['dataset', 'raw-data'],
    ['dataset', ''],
    ['dataset', 'a'.repeat(1025)],
    ['table', 'a.csv'],
    ['table', 'a/b'],
    ['table', ''],
    ['table', 'é'.repeat(600)],
    ['decorator', '20260'],
    ['decorator', '2026-01-01'],
    ['decorator', 'abcd'],
    ['decorator', '20261345'],
    ['decorator', '202613'],
    ['decorator', '20260230'],
    ['decorator', '20260100'],
    ['decorator', '2026013124'],
  ])('refuses the %s %j and names it', (kind, value) => {
    const problem = identifierProblem(kind, value);
    expect(problem).toEqual(expect.stringContaining(kind === 'decorator' ? 'decorator' : kind));
    expect(problem).toEqual(expect.stringContaining(value.slice(0, 20)));
  });
});
