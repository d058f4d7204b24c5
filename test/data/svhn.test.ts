import { afterAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { svhn } from '../../stdlib/data/svhn.js';
import { readMat5 } from '../../stdlib/data/mat5.js';
import type { Dataset } from '../../stdlib/types.js';
import { cifarValue, field, left, matFile, right, svhnVars, tempDir } from './helpers.js';
import * as E from 'fp-ts/lib/Either.js';

const tmp = tempDir();
afterAll(tmp.cleanup);
const FIXTURES = path.join(import.meta.dirname, 'fixtures');

const expectImages = (ds: Dataset, value: (i: number, r: number, c: number, ch: number) => number): void => {
  const x = field(ds, 'x').data;
  for (let i = 0; i < ds.size; i++)
    for (let r = 0; r < 32; r++)
      for (let c = 0; c < 32; c++)
        for (let ch = 0; ch < 3; ch++) {
          const got = x[i * 3072 + (r * 32 + c) * 3 + ch] as number;
          if (Math.abs(got - value(i, r, c, ch) / 255) > 1e-7) throw new Error(`image ${i} (${r}, ${c}, ${ch}): ${got}`);
        }
};

describe('svhn loader', () => {
  for (const compressed of [false, true]) {
    it(`reads X and y from a ${compressed ? 'compressed' : 'plain'} MAT-file; label 10 becomes 0`, async () => {
      const file = tmp.file(`svhn_${compressed}.mat`, matFile(svhnVars([10, 3, 7]), compressed));
      const ds = right(await svhn.load({ path: file }, '.'));
      expect(ds.size).toBe(3);
      expect(field(ds, 'x').shape).toEqual([32, 32, 3]);
      expect(Array.from(field(ds, 'y').data)).toEqual([0, 3, 7]);
      expect(field(ds, 'y').classes).toBe(10);
      expectImages(ds, cifarValue);
    });
  }

  it('reads a big-endian MAT-file', async () => {
    const file = tmp.file('svhn_be.mat', matFile(svhnVars([2, 10]), true, false));
    const ds = right(await svhn.load({ path: file }, '.'));
    expect(Array.from(field(ds, 'y').data)).toEqual([2, 0]);
    expectImages(ds, cifarValue);
  });

  // Written by SciPy's savemat: checks the reader against a writer other than ours.
  for (const name of ['svhn_scipy_v5.mat', 'svhn_scipy_v5_compressed.mat']) {
    it(`reads ${name}, written by scipy.io.savemat`, async () => {
      const ds = right(await svhn.load({ path: name }, FIXTURES));
      expect(Array.from(field(ds, 'y').data)).toEqual([0, 3, 7]);
      expectImages(ds, (i, r, c, ch) => (r * 7 + c * 3 + ch * 50 + i * 11) % 256);
    });
  }

  it('lists variables with their dimensions and classes', () => {
    const vars = readMat5(matFile([...svhnVars([1, 2]), { name: 'extra', mxClass: 6, dims: [2, 3], values: [1, 2, 3, 4, 5, 6], storage: 'double' }], true));
    expect(E.map((vs: readonly { name: string; dims: readonly number[]; mxClass: number }[]) => vs.map((v) => [v.name, v.dims, v.mxClass]))(vars)).toEqual(
      E.right([
        ['X', [32, 32, 3, 2], 9],
        ['y', [2, 1], 6],
        ['extra', [2, 3], 6],
      ]),
    );
  });

  describe('malformed input', () => {
    it('a missing file, with where to get it', async () => {
      const e = left(await svhn.load({ path: 'train_32x32.mat' }, tmp.dir));
      expect(e).toMatchObject({ file: path.join(tmp.dir, 'train_32x32.mat'), message: 'file not found' });
      expect(e.hint).toMatch(/ufldl\.stanford\.edu\/housenumbers/);
    });

    it('not a MAT-file, and a MATLAB 7.3 (HDF5) file', async () => {
      const junk = tmp.file('junk.mat', new Uint8Array(200).fill(7));
      expect(left(await svhn.load({ path: junk }, '.'))).toMatchObject({
        file: junk,
        message: expect.stringMatching(/^is not a MATLAB level-5 MAT-file \(no endian indicator/),
      });
      const h = new Uint8Array(256);
      h.set(new TextEncoder().encode('MATLAB 7.3 MAT-file, Platform: GLNXA64'));
      const v73 = tmp.file('v73.mat', h);
      expect(left(await svhn.load({ path: v73 }, '.')).message).toMatch(/MATLAB 7\.3 \(HDF5\)/);
    });

    it('a truncated file, plain and compressed', async () => {
      const plain = matFile(svhnVars([1, 2, 3]), false);
      const cut = tmp.file('cut.mat', plain.subarray(0, 5000));
      const e = left(await svhn.load({ path: cut }, '.'));
      expect(e.file).toBe(cut);
      expect(e.message).toMatch(/^is truncated: the data element at byte 128 declares \d+ bytes but only 4864 remain/);
      const packed = matFile(svhnVars([1, 2, 3]), true);
      const zcut = tmp.file('zcut.mat', packed.subarray(0, packed.length - 40));
      expect(left(await svhn.load({ path: zcut }, '.')).message).toMatch(/^is truncated/);
      const garbled = packed.slice();
      garbled.fill(0xff, 140, 180);
      const bad = tmp.file('garbled.mat', garbled);
      expect(left(await svhn.load({ path: bad }, '.')).message).toMatch(/compressed element at byte 128 does not inflate/);
    });

    it('labels and images of different counts', async () => {
      const [X] = svhnVars([1, 2, 3]);
      const file = tmp.file('mismatch.mat', matFile([X!, { name: 'y', mxClass: 6, dims: [2, 1], values: [1, 2], storage: 'double' }], false));
      expect(left(await svhn.load({ path: file }, '.'))).toEqual({ file, message: 'y has 2 labels but X has 3 images' });
    });

    it('missing y, X of the wrong shape, a label that is no digit', async () => {
      const [X, y] = svhnVars([1, 2]);
      const noY = tmp.file('noy.mat', matFile([X!], true));
      expect(left(await svhn.load({ path: noY }, '.')).message).toBe("has no variable 'y' (its variables: X)");
      const flat = tmp.file('flat.mat', matFile([{ ...X!, dims: [32, 96, 2] }, y!], false));
      expect(left(await svhn.load({ path: flat }, '.')).message).toBe('variable X has dimensions 32×96×2, expected 32×32×3×N (SVHN cropped digits)');
      const bad = tmp.file('label.mat', matFile(svhnVars([4, 11]), false));
      expect(left(await svhn.load({ path: bad }, '.')).message).toBe('label 2 is 11, expected a digit label 1..10 (10 stands for 0)');
    });
  });
});
