import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GcsStore } from '../../../dev/gcs/store';

describe('the local GCS store over a folder', () => {
  let rootDir: string;
  let store: GcsStore;

  beforeEach(() => {
    rootDir = mkdtempSync(join(tmpdir(), 'bqal-store-'));
    store = new GcsStore(rootDir);
  });

  afterEach(() => rmSync(rootDir, { recursive: true, force: true }));

  function drop(bucket: string, name: string, text: string): string {
    const path = join(rootDir, 'buckets', bucket, ...name.split('/'));
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    return path;
  }

  it('synthesizes metadata for a file dropped by hand', () => {
    drop('landing', 'in/data.csv', 'a,b\n1,2\n');
    const object = store.get('landing', 'in/data.csv');
    expect(object).toMatchObject({
      bucket: 'landing',
      name: 'in/data.csv',
      size: '8',
      metageneration: '1',
      contentType: 'text/csv',
      md5Hash: expect.stringMatching(/==$/),
      crc32c: expect.any(String),
    });
    expect(store.get('landing', 'in/data.csv').generation).toBe(object.generation);
    expect(store.list('landing', {}).items.map((o) => o.name)).toEqual(['in/data.csv']);
  });

  /** Dates every folder of a bucket an hour back, so the store trusts a cached listing of it. */
  function ageFolders(bucket: string): void {
    const hourAgo = new Date(Date.now() - 3_600_000);
    const visit = (dir: string) => {
      utimesSync(dir, hourAgo, hourAgo);
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) visit(join(dir, e.name));
      }
    };
    visit(join(rootDir, 'buckets', bucket));
  }

  /** Every object's name, and the top level as a `/` delimiter shows it (objects and prefixes). */
  function listed(bucket: string): { names: string[]; top: string[] } {
    const top = store.list(bucket, { delimiter: '/' });
    return {
      names: store.list(bucket, {}).items.map((o) => o.name),
      top: [...top.items.map((o) => o.name), ...top.prefixes].sort(),
    };
  }

  it.each<[string, (bucket: string) => void, { names: string[]; top: string[] }]>([
    [
      'a file dropped by hand',
      (b) => drop(b, 'in/b.csv', 'b'),
      { names: ['in/a.csv', 'in/b.csv', 'z.csv'], top: ['in/', 'z.csv'] },
    ],
    [
      'a file dropped by hand into a new folder',
      (b) => drop(b, 'new/c.csv', 'c'),
      { names: ['in/a.csv', 'new/c.csv', 'z.csv'], top: ['in/', 'new/', 'z.csv'] },
    ],
    [
      'a file deleted by hand',
      (b) => rmSync(join(rootDir, 'buckets', b, 'in', 'a.csv')),
      { names: ['z.csv'], top: ['z.csv'] },
    ],
    [
      'a folder deleted by hand',
      (b) => rmSync(join(rootDir, 'buckets', b, 'in'), { recursive: true }),
      { names: ['z.csv'], top: ['z.csv'] },
    ],
    [
      'an object deleted through the store',
      (b) => store.delete(b, 'in/a.csv'),
      { names: ['z.csv'], top: ['z.csv'] },
    ],
    [
      'an object moved through the store',
      (b) => store.move(b, 'z.csv', 'in/z.csv'),
      { names: ['in/a.csv', 'in/z.csv'], top: ['in/'] },
    ],
  ])('shows %s in the next listing after a cached one', (_name, change, expected) => {
    drop('landing', 'in/a.csv', 'a');
    drop('landing', 'z.csv', 'z');
    ageFolders('landing');
    const before = { names: ['in/a.csv', 'z.csv'], top: ['in/', 'z.csv'] };
    expect(listed('landing')).toEqual(before);
    expect(listed('landing')).toEqual(before);
    change('landing');
    expect(listed('landing')).toEqual(expected);
  });

  it('shows a file dropped in the same file-system clock tick as a recent listing', () => {
    const folder = join(rootDir, 'buckets', 'landing', 'in');
    const tick = new Date(Math.floor(Date.now()));
    drop('landing', 'in/a.csv', 'a');
    utimesSync(folder, tick, tick);
    expect(listed('landing').names).toEqual(['in/a.csv']);
    drop('landing', 'in/b.csv', 'b');
    utimesSync(folder, tick, tick); // as if the clock had not advanced since the listing
    expect(listed('landing').names).toEqual(['in/a.csv', 'in/b.csv']);
  });

  it('gives a file overwritten by hand a new, larger generation and fresh metadata', () => {
    const path = drop('landing', 'data.csv', 'one\n');
    const first = store.patch('landing', 'data.csv', { metadata: { note: 'old' } });
    writeFileSync(path, 'one\ntwo\n');
    const second = store.get('landing', 'data.csv');
    expect(BigInt(second.generation)).toBeGreaterThan(BigInt(first.generation));
    expect(second).toMatchObject({ size: '8', metageneration: '1' });
    expect(second.metadata).toBeUndefined();
  });

  it('notices an overwrite by hand that keeps the size but changes the modification time', () => {
    const path = drop('landing', 'same-size.csv', 'aaaa');
    const first = store.get('landing', 'same-size.csv');
    writeFileSync(path, 'bbbb');
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect(store.get('landing', 'same-size.csv').generation).not.toBe(first.generation);
  });

  it('forgets an object whose file was deleted by hand', () => {
    const path = drop('landing', 'gone.csv', 'x');
    store.get('landing', 'gone.csv');
    rmSync(path);
    expect(store.lookup('landing', 'gone.csv')).toBeUndefined();
    expect(() => store.get('landing', 'gone.csv')).toThrow(
      expect.objectContaining({ code: 404, reason: 'notFound' }),
    );
  });

  it('hands out strictly increasing generations even within one millisecond', () => {
    const generations = [1, 2, 3, 4, 5].map(
      (n) => store.insert('bkt', `o${n}`, Buffer.from('x'), {}).generation,
    );
    const sorted = [...generations].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(new Set(generations).size).toBe(5);
    expect(generations).toEqual(sorted);
  });

  it.each([['../escape'], ['a//b'], ['folder/'], ['./x']])('refuses the object name %s', (name) => {
    expect(() => store.insert('landing', name, Buffer.from('x'), {})).toThrow(
      expect.objectContaining({ code: 400 }),
    );
  });

  it('maps a path under buckets/ back to its bucket and object name', () => {
    expect(store.locate(join(rootDir, 'buckets', 'bkt', 'x', 'y.csv'))).toEqual({
      bucket: 'bkt',
      name: 'x/y.csv',
    });
    expect(store.locate(join(rootDir, '.gcs-meta', 'bkt', 'y.csv.json'))).toBeUndefined();
    expect(store.locate(join(rootDir, 'buckets', 'bkt'))).toBeUndefined();
  });
});
