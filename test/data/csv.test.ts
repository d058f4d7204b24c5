import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { csv } from '../../stdlib/data/csv.js';
import { field, gzip, left, right, tempDir } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const tmp = tempDir();
afterAll(tmp.cleanup);

describe('csv loader', () => {
  it('reads a header, takes the named target out and keeps the other columns in order', async () => {
    const file = tmp.file('small.csv', 'a,y,b\n1,10,2\n3,20,4.5\r\n\n-1e-2,30,6\n');
    const ds = right(await csv.load({ path: file, target: 'y' }, tmp.dir));
    expect(ds.size).toBe(3);
    expect(field(ds, 'x').shape).toEqual([2]);
    expect(Array.from(field(ds, 'x').data)).toEqual([1, 2, 3, 4.5, Math.fround(-0.01), 6]);
    expect(Array.from(field(ds, 'y').data)).toEqual([10, 20, 30]);
  });

  it('reads gzip-compressed CSV, recognized by its magic bytes', async () => {
    const file = tmp.file('small.dat', gzip(new TextEncoder().encode('p,q\n1,2\n3,4\n')));
    const ds = right(await csv.load({ path: 'small.dat', target: 'p' }, tmp.dir));
    expect(Array.from(field(ds, 'x').data)).toEqual([2, 4]);
    expect(Array.from(field(ds, 'y').data)).toEqual([1, 3]);
    expect(file.endsWith('small.dat')).toBe(true);
  });

  it('reads the project diabetes data: 442 rows, 10 features', async () => {
    const ds = right(await csv.load({ path: 'data/diabetes.csv', features: 10 }, REPO));
    expect(ds.size).toBe(442);
    expect(field(ds, 'x').shape).toEqual([10]);
    const lines = readFileSync(path.join(REPO, 'data/diabetes.csv'), 'utf8').trim().split('\n');
    const last = (lines[442] as string).split(',').map(Number);
    expect(Array.from(field(ds, 'x').data.subarray(441 * 10))).toEqual(last.slice(0, 10).map(Math.fround));
    expect(field(ds, 'y').data[441]).toBe(last[10]);
  });

  it('finds a relative path in an ancestor of the program folder', async () => {
    const nested = path.join(REPO, 'programs', 'some', 'deep');
    const ds = right(await csv.load({ path: 'data/diabetes.csv' }, nested));
    expect(ds.size).toBe(442);
    mkdirSync(path.join(tmp.dir, 'a', 'b'), { recursive: true });
    const e = left(await csv.load({ path: 'nowhere.csv' }, path.join(tmp.dir, 'a', 'b')));
    expect(e.file).toBe(path.join(tmp.dir, 'a', 'b', 'nowhere.csv'));
  });

  it('says statically that the width is symbolic unless features: is given', () => {
    expect(csv.schema({ path: 'x.csv' })).toEqual(E.right({ x: { dtype: 'float32', shape: ['F'] }, y: { dtype: 'float32', shape: [] } }));
    expect(csv.schema({ path: 'x.csv', features: 4 })).toEqual(E.right({ x: { dtype: 'float32', shape: [4] }, y: { dtype: 'float32', shape: [] } }));
    expect(E.isLeft(csv.schema({}))).toBe(true);
  });

  describe('malformed input', () => {
    it('missing file', async () => {
      const e = left(await csv.load({ path: 'missing.csv' }, tmp.dir));
      expect(e.file).toBe(path.join(tmp.dir, 'missing.csv'));
      expect(e.message).toBe('file not found');
    });

    it('a row with the wrong number of columns', async () => {
      const file = tmp.file('ragged.csv', 'a,b,y\n1,2,3\n4,5\n');
      const e = left(await csv.load({ path: file }, tmp.dir));
      expect(e.file).toBe(file);
      expect(e.message).toBe('line 3 has 2 columns but the header has 3');
    });

    it('a non-numeric cell and an empty cell', async () => {
      const file = tmp.file('text.csv', 'a,b,y\n1,2,3\n4,abc,6\n');
      const e = left(await csv.load({ path: file }, tmp.dir));
      expect(e.file).toBe(file);
      expect(e.message).toBe(`line 3, column 'b': "abc" is not a number`);
      const blank = tmp.file('blank.csv', 'a,y\n1,\n');
      expect(left(await csv.load({ path: blank }, tmp.dir)).message).toBe("line 2, column 'y': is empty");
    });

    it('no column named like the target', async () => {
      const file = tmp.file('notarget.csv', 'a,b,c\n1,2,3\n');
      const e = left(await csv.load({ path: file, target: 'y' }, tmp.dir));
      expect(e.file).toBe(file);
      expect(e.message).toMatch(/has no column named 'y' \(its header has: a, b, c\)/);
    });

    it('an empty file, a header without rows, and a width that contradicts features:', async () => {
      const empty = tmp.file('empty.csv', '');
      expect(left(await csv.load({ path: empty }, tmp.dir)).message).toMatch(/^is empty/);
      const header = tmp.file('header.csv', 'a,y\n');
      expect(left(await csv.load({ path: header }, tmp.dir)).message).toBe('has a header row but no data rows');
      const ok = tmp.file('three.csv', 'a,b,c,y\n1,2,3,4\n');
      const e = left(await csv.load({ path: ok, features: 2 }, tmp.dir));
      expect(e).toEqual({ file: ok, message: 'has 3 feature columns but the program says features: 2' });
    });

    it('a truncated gzip file', async () => {
      const z = gzip(new TextEncoder().encode('a,y\n' + '1,2\n'.repeat(1000)));
      const file = tmp.file('cut.csv.gz', z.subarray(0, z.length - 30));
      const e = left(await csv.load({ path: file }, tmp.dir));
      expect(e.file).toBe(file);
      expect(e.message).toMatch(/does not decompress/);
    });
  });
});
