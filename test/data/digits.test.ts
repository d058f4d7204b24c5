import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as path from 'node:path';
import { digits } from '../../stdlib/data/digits.js';
import { field, left, right, tempDir } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const tmp = tempDir();
afterAll(tmp.cleanup);

const row = (pixels: number, label: number): string => [...Array.from({ length: 64 }, () => pixels), label].join(',');

describe('digits loader', () => {
  it('reads the project copy: 1797 images of 64 pixels in 0..1 and labels of 10 classes', async () => {
    const ds = right(await digits.load({}, REPO));
    expect(ds.size).toBe(1797);
    const x = field(ds, 'x');
    const y = field(ds, 'y');
    expect(x.shape).toEqual([64]);
    expect(y).toMatchObject({ dtype: 'int32', classes: 10 });
    expect(new Set(y.data).size).toBe(10);
    expect(Math.max(...x.data)).toBe(1);
    expect(Math.min(...x.data)).toBe(0);
    const raw = gunzipSync(readFileSync(path.join(REPO, 'data/digits.csv.gz'))).toString('utf8').trim().split('\n');
    const cells = (raw[1796] as string).split(',').map(Number);
    expect(Array.from(x.data.subarray(1796 * 64))).toEqual(cells.slice(0, 64).map((v) => v / 16));
    expect(y.data[1796]).toBe(cells[64]);
  });

  it('reads a small uncompressed file', async () => {
    const file = tmp.file('d.csv', `${row(16, 3)}\n${row(8, 0)}\n`);
    const ds = right(await digits.load({ path: file }, tmp.dir));
    expect(Array.from(field(ds, 'y').data)).toEqual([3, 0]);
    expect(field(ds, 'x').data[64]).toBe(0.5);
  });

  describe('malformed input', () => {
    it('missing file, with a hint', async () => {
      const e = left(await digits.load({ path: 'nope.csv.gz' }, tmp.dir));
      expect(e).toMatchObject({ file: path.join(tmp.dir, 'nope.csv.gz'), message: 'file not found' });
      expect(e.hint).toMatch(/data\/digits\.csv\.gz/);
    });

    it('the wrong number of columns', async () => {
      const file = tmp.file('narrow.csv', '1,2,3\n4,5,6\n');
      const e = left(await digits.load({ path: file }, tmp.dir));
      expect(e).toEqual({ file, message: 'has 3 columns per line but digits needs 65 (64 pixels, then the label)' });
    });

    it('a pixel or label out of range', async () => {
      const file = tmp.file('hot.csv', `${row(1, 2)}\n${row(17, 2)}\n`);
      expect(left(await digits.load({ path: file }, tmp.dir))).toEqual({ file, message: 'row 2: pixel 1 is 17, expected an integer in 0..16' });
      const lab = tmp.file('lab.csv', `${row(1, 10)}\n`);
      expect(left(await digits.load({ path: lab }, tmp.dir)).message).toBe('row 1: the label is 10, expected an integer in 0..9');
    });

    it('a non-numeric cell and a ragged line', async () => {
      const file = tmp.file('nan.csv', `${row(1, 2)}\n${row(1, 2).replace(/^1/, 'x')}\n`);
      expect(left(await digits.load({ path: file }, tmp.dir)).message).toBe('line 2, column 1: "x" is not a number');
      const ragged = tmp.file('ragged.csv', `${row(1, 2)}\n1,2\n`);
      expect(left(await digits.load({ path: ragged }, tmp.dir))).toEqual({ file: ragged, message: 'line 2 has 2 columns but line 1 has 65' });
    });
  });
});
