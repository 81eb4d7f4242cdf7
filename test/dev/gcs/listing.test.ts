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

  it('refuses a page token it did not issue', () => {
    expect(() => listPage(NAMES, { pageToken: 'garbage' })).toThrow(/invalid pageToken/);
  });
});
