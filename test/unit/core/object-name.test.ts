import { objectNameProblem } from '../../../src/core/object-name';

describe('objectNameProblem', () => {
  it.each([
    'a.csv',
    'sales/emea/2026-11-27/orders 01.csv',
    'x'.repeat(1024),
    `${'é'.repeat(512)}`,
    'emoji 😀.csv',
    '...',
  ])('accepts %s', (name) => {
    expect(objectNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', /is empty/],
    ['x'.repeat(1025), /1025 bytes long; Cloud Storage allows at most 1024/],
    ['é'.repeat(513), /1026 bytes long/],
    ['a\nb', /control character U\+000A/],
    ['a\rb', /control character U\+000D/],
    ['a\u0000b', /control character U\+0000/],
    ['a\u007fb', /control character U\+007F/],
    ['a\u0085b', /control character U\+0085/],
    ['a\ud800b', /not valid Unicode/],
    ['.', /cannot be \./],
    ['..', /cannot be \.\./],
  ])('refuses %j', (name, reason) => {
    expect(objectNameProblem(name)).toMatch(reason);
  });
});
