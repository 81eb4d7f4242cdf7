import { objectNameProblem } from '../../../src/core/object-name';

describe('objectNameProblem', () => {
  it.each([
    'a.csv',
    'sales/emea/2026-11-27/orders 01.csv',
    'x'.repeat(1024),
    `${'é'.repeat(512)}`,
    'emoji 😀.csv',
    '...',
    // Cloud Storage advises against control characters but stores them: real objects.
    'a\tb.csv',
    'a\u0000b',
    'a\u007fb',
    'a\u0085b',
    'a\u009fb',
    'x/.well-known/acme-challenge/y',
    '.well-known/other',
  ])('accepts %s', (name) => {
    expect(objectNameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', /is empty/],
    ['x'.repeat(1025), /1025 bytes long; Cloud Storage allows at most 1024/],
    ['é'.repeat(513), /1026 bytes long/],
    ['a\nb', /holds a line feed/],
    ['a\rb', /holds a carriage return/],
    ['a\ud800b', /not valid Unicode/],
    ['.', /cannot be \./],
    ['..', /cannot be \.\./],
    ['.well-known/acme-challenge/token', /cannot start with \.well-known\/acme-challenge\//],
  ])('refuses %j', (name, reason) => {
    expect(objectNameProblem(name)).toMatch(reason);
  });
});
