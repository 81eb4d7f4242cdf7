import { mergeMetadata, startInstantStorage } from '../../../bench/instant-storage';
import { lowerBound, selectedItemFields, startListingServer } from '../../../bench/listing-server';

describe('the benchmark listing server', () => {
  const names = ['a/1', 'a/2', 'b/1', 'b/2', 'b/3', 'c/1'];
  const bucket = { bucket: 'bk', objects: names.length, nameOf: (i: number) => names[i] ?? '' };

  it.each([
    ['b/', 2],
    ['', 0],
    ['a/2', 1],
    ['z', 6],
  ])('finds the first name at or after %j', (key, index) => {
    expect(lowerBound(names.length, bucket.nameOf, key)).toBe(index);
  });

  it.each([
    [null, undefined],
    [
      'nextPageToken,items(name,generation,metadata/bq-autoloader-job)',
      ['name', 'generation', 'metadata'],
    ],
    ['items,nextPageToken', undefined],
    ['nextPageToken', []],
  ])('reads the item fields of fields=%j', (fields, expected) => {
    const found = selectedItemFields(fields);
    expect(found && [...found]).toEqual(expected);
  });

  it('pages through one prefix in name order, cut to the fields asked for', async () => {
    const server = await startListingServer([bucket]);
    try {
      const list = async (query: string) =>
        (await (await fetch(`${server.emulatorHost}/b/bk/o?${query}`)).json()) as {
          items?: Record<string, unknown>[];
          nextPageToken?: string;
        };
      const first = await list('prefix=b/&maxResults=2&fields=nextPageToken,items(name,size)');
      expect(first.items).toEqual([
        { name: 'b/1', size: expect.any(String) },
        { name: 'b/2', size: expect.any(String) },
      ]);
      const second = await list(`prefix=b/&maxResults=2&pageToken=${first.nextPageToken}`);
      expect(second.items?.map((o) => o.name)).toEqual(['b/3']);
      expect(second.items?.[0]).toMatchObject({ bucket: 'bk', generation: expect.any(String) });
      expect(second.nextPageToken).toBeUndefined();
      expect(server.pages()).toBe(2);
    } finally {
      await server.close();
    }
  });
});

describe('the instant Cloud Storage server', () => {
  it('merges a metadata patch; null removes a key', () => {
    expect(mergeMetadata({ a: '1', b: '2' }, { b: null, c: '3' })).toEqual({ a: '1', c: '3' });
  });

  it('answers a marker patch, then reads the object back with it', async () => {
    const storage = await startInstantStorage();
    try {
      const url = `${storage.emulatorHost}/b/bk/o/${encodeURIComponent('sales/a.csv')}`;
      const patched = await fetch(`${url}?ifGenerationMatch=7&ifMetagenerationMatch=1`, {
        method: 'PATCH',
        body: JSON.stringify({ metadata: { 'bq-autoloader-state': 'claimed' } }),
      });
      expect(await patched.json()).toMatchObject({ generation: '7', metageneration: '2' });
      const read = (await (await fetch(url)).json()) as Record<string, unknown>;
      expect(read).toMatchObject({
        name: 'sales/a.csv',
        generation: '7',
        metageneration: '2',
        metadata: { 'bq-autoloader-state': 'claimed' },
      });
      expect([storage.patches(), storage.reads()]).toEqual([1, 1]);
    } finally {
      await storage.close();
    }
  });
});
