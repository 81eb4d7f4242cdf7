import { percentile, ratio, summarize } from '../../../bench/stats';

describe('summarize', () => {
  it.each([
    {
      name: 'an odd count has the middle value as median',
      input: [5, 1, 3],
      expected: { median: 3, min: 1, max: 5, n: 3 },
    },
    {
      name: 'an even count averages the middle two',
      input: [4, 1, 2, 3],
      expected: { median: 2.5, min: 1, max: 4, n: 4 },
    },
    {
      name: 'one sample is its own median and spread',
      input: [7],
      expected: { median: 7, min: 7, max: 7, n: 1 },
    },
  ])('$name', ({ input, expected }) => {
    expect(summarize(input)).toEqual(expected);
  });

  it('returns NaN figures for no samples', () => {
    expect(summarize([])).toEqual({ median: Number.NaN, min: Number.NaN, max: Number.NaN, n: 0 });
  });

  it('does not reorder the caller array', () => {
    const input = [3, 1, 2];
    summarize(input);
    expect(input).toEqual([3, 1, 2]);
  });
});

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it.each([
    { p: 50, expected: 50 },
    { p: 99, expected: 99 },
    { p: 100, expected: 100 },
    { p: 0, expected: 1 },
  ])('the nearest-rank p$p of 1..100 is $expected', ({ p, expected }) => {
    expect(percentile(hundred, p)).toBe(expected);
  });
});

describe('ratio', () => {
  it.each([
    { a: 3, b: 2, expected: '1.50×' },
    { a: 1, b: 0, expected: '–' },
    { a: Number.NaN, b: 1, expected: '–' },
  ])('$a / $b reads $expected', ({ a, b, expected }) => {
    expect(ratio(a, b)).toBe(expected);
  });
});
