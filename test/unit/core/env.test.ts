import {
  envBaseUrl,
  envFirst,
  envList,
  envText,
  envWholeNumber,
  SettingError,
} from '../../../src/core/env';

describe('environment readers', () => {
  it('treat unset and empty as unset, and trim', () => {
    expect(envText({}, 'X')).toBeUndefined();
    expect(envText({ X: '' }, 'X')).toBeUndefined();
    expect(envText({ X: ' a ' }, 'X')).toBe('a');
    expect(envFirst({ B: 'b' }, ['A', 'B'])).toBe('b');
    expect(envFirst({ A: 'a', B: 'b' }, ['A', 'B'])).toBe('a');
  });

  it.each([
    ['blank', () => envText({ X: '  ' }, 'X'), /X is set but blank/],
    [
      'not a number',
      () => envWholeNumber({ X: 'soon' }, 'X', 'seconds'),
      /X must be a whole number of seconds >= 0, got "soon"/,
    ],
    ['negative', () => envWholeNumber({ X: '-1' }, 'X', 'seconds'), /X must be a whole number/],
    ['fractional', () => envWholeNumber({ X: '1.5' }, 'X', 'seconds'), /X must be a whole number/],
    ['an empty list', () => envList({ X: ', ,' }, 'X'), /X lists nothing/],
    ['not a URL', () => envBaseUrl({ X: 'a b:1' }, 'X'), /X must be host:port or a URL/],
  ])('refuse a value that is %s, naming the variable', (_what, read, message) => {
    expect(read).toThrow(SettingError);
    expect(read).toThrow(message);
  });

  it('read numbers, lists and base URLs', () => {
    expect(envWholeNumber({ X: '20000' }, 'X', 'milliseconds')).toBe(20_000);
    expect(envList({ X: 'a, b,,c' }, 'X')).toEqual(['a', 'b', 'c']);
    expect(envBaseUrl({ X: 'localhost:9050' }, 'X')).toBe('http://localhost:9050');
    expect(envBaseUrl({ X: 'https://bq.local:1/' }, 'X')).toBe('https://bq.local:1');
  });
});
