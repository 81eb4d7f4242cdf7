import { type ListOptions, listPage } from '../../../dev/gcs/listing';

const NAMES = ['a/1.csv', 'a/2.csv', 'a/x/3.csv', 'a/y/4.csv', 'b/5.csv', 'c.csv'];

/** Follows nextPageToken to the end and returns each page's entries (names and prefixes). */
function allPages(options: ListOptions): string[][] {
  const pages: string[][] = [];
  let pageToken: string | undefined;
  do {
    const page = listPage(NAMES, { ...options, pageToken });
    pages.push([...page.names, ...page.prefixes].sort());
    pageToken = page.nextPageToken;
  } while (pageToken);
  return pages;
}

describe('listPage', () => {
  it.each<[string, ListOptions, string[][]]>([
    ['everything', {}, [NAMES]],
    ['a prefix', { prefix: 'a/' }, [['a/1.csv', 'a/2.csv', 'a/x/3.csv', 'a/y/4.csv']]],
    ['a delimiter at the top', { delimiter: '/' }, [['a/', 'b/', 'c.csv']]],
    [
      'a prefix and a delimiter',
      { prefix: 'a/', delimiter: '/' },
      [['a/1.csv', 'a/2.csv', 'a/x/', 'a/y/']],
    ],
    [
      'pages of two',
      { maxResults: 2 },
      [
        ['a/1.csv', 'a/2.csv'],
        ['a/x/3.csv', 'a/y/4.csv'],
        ['b/5.csv', 'c.csv'],
      ],
    ],
    [
      'pages of two with prefixes counted once',
      { delimiter: '/', prefix: 'a/', maxResults: 3 },
      [['a/1.csv', 'a/2.csv', 'a/x/'], ['a/y/']],
    ],
    [
      'a glob',
      { matchGlob: '**/*.csv', prefix: 'a/' },
      [['a/1.csv', 'a/2.csv', 'a/x/3.csv', 'a/y/4.csv']],
    ],
    ['a glob within one segment', { matchGlob: '*/*.csv' }, [['a/1.csv', 'a/2.csv', 'b/5.csv']]],
    [
      'start and end offsets',
      { startOffset: 'a/x', endOffset: 'b/5.csv' },
      [['a/x/3.csv', 'a/y/4.csv']],
    ],
  ])('lists %s', (_name, options, expected) => {
    expect(allPages(options)).toEqual(expected);
  });

  it.each<[string, ListOptions, string[][]]>([
    ['a prefix that sorts after every name', { prefix: 'd' }, [[]]],
    ['a prefix that matches no name in the middle', { prefix: 'a/z' }, [[]]],
    ['an end offset before the prefix', { prefix: 'b/', endOffset: 'a/9' }, [[]]],
    [
      'a start offset inside the prefix',
      { prefix: 'a/', startOffset: 'a/2' },
      [['a/2.csv', 'a/x/3.csv', 'a/y/4.csv']],
    ],
    [
      'pages of one with a delimiter, skipping collapsed prefixes across pages',
      { delimiter: '/', maxResults: 1 },
      [['a/'], ['b/'], ['c.csv']],
    ],
    [
      'pages of one with a glob that skips names',
      { matchGlob: '**/[34].csv', maxResults: 1 },
      [['a/x/3.csv'], ['a/y/4.csv']],
    ],
  ])('lists %s', (_name, options, expected) => {
    expect(allPages(options)).toEqual(expected);
  });

  it('pages through many names, each exactly once and in order', () => {
    const many = Array.from(
      { length: 5000 },
      (_, i) => `d${i % 7}/o${String(i).padStart(5, '0')}`,
    ).sort();
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = listPage(many, { prefix: 'd3/', maxResults: 97, pageToken });
      seen.push(...page.names);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(many.filter((n) => n.startsWith('d3/')));
    expect(listPage(many, { delimiter: '/' }).prefixes).toEqual([
      'd0/',
      'd1/',
      'd2/',
      'd3/',
      'd4/',
      'd5/',
      'd6/',
    ]);
  });

  it('refuses a page token it did not issue', () => {
    expect(() => listPage(NAMES, { pageToken: 'garbage' })).toThrow(/invalid pageToken/);
  });
});
