import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { settledFiles } from '../../dev/watcher-rescan';

describe('settledFiles', () => {
  it('finds the files of a whole new tree that have not changed for the stability window', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bqal-rescan-'));
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    const old = join(dir, 'a', 'b', 'settled.csv');
    writeFileSync(old, 'x');
    const past = new Date(Date.now() - 10_000);
    utimesSync(old, past, past);
    writeFileSync(join(dir, 'a', 'fresh.csv'), 'still being written');
    expect(await settledFiles(dir, 500)).toEqual([old]);
  });

  it('answers nothing for a directory that is gone again', async () => {
    expect(await settledFiles(join(tmpdir(), 'bqal-rescan-none', 'x'), 500)).toEqual([]);
  });
});
