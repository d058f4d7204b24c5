import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { cifar10 } from '../../stdlib/data/cifar10.js';
import { cifar100 } from '../../stdlib/data/cifar100.js';
import type { Dataset } from '../../stdlib/types.js';
import { cifarFile, cifarValue, field, left, right, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

/** Every pixel of image k of `ds` equals test image `first + k` converted to HWC in 0..1. */
const expectImages = (ds: Dataset, first: number): void => {
  const x = field(ds, 'x').data;
  for (let k = 0; k < ds.size; k++)
    for (let r = 0; r < 32; r++)
      for (let c = 0; c < 32; c++)
        for (let ch = 0; ch < 3; ch++) {
          const got = x[k * 3072 + (r * 32 + c) * 3 + ch] as number;
          if (Math.abs(got - cifarValue(first + k, r, c, ch) / 255) > 1e-7) {
            throw new Error(`image ${k} (${r}, ${c}, ${ch}): ${got}`);
          }
        }
};

const dir10 = path.join(tmp.dir, 'cifar-10-batches-bin');
const dir100 = path.join(tmp.dir, 'cifar-100-binary');
mkdirSync(dir10);
mkdirSync(dir100);
const at = (d: string, f: string): string => path.join(path.basename(d), f);

describe('cifar10 loader', () => {
  // data_batch_1 holds 3 images, batches 2..5 one each: 7 training images in file order.
  tmp.file(at(dir10, 'data_batch_1.bin'), cifarFile([[3], [0], [9]], 0));
  for (let k = 2; k <= 5; k++) tmp.file(at(dir10, `data_batch_${k}.bin`), cifarFile([[k]], k + 1));
  tmp.file(at(dir10, 'test_batch.bin'), cifarFile([[1], [2], [8]], 100));

  it('reads the five training batches in order, as HWC floats in 0..1', async () => {
    const ds = right(await cifar10.load({ dir: dir10 }, '.'));
    expect(ds.size).toBe(7);
    expect(field(ds, 'x').shape).toEqual([32, 32, 3]);
    expect(Array.from(field(ds, 'y').data)).toEqual([3, 0, 9, 2, 3, 4, 5]);
    expect(field(ds, 'y').classes).toBe(10);
    expectImages(ds, 0);
  });

  it('reads the test batch, relative to the program folder', async () => {
    const ds = right(await cifar10.load({ dir: 'cifar-10-batches-bin', part: 'test' }, tmp.dir));
    expect(Array.from(field(ds, 'y').data)).toEqual([1, 2, 8]);
    expectImages(ds, 100);
  });

  describe('malformed input', () => {
    it('a missing batch file, with where to get it', async () => {
      const d = path.join(tmp.dir, 'partial');
      mkdirSync(d);
      tmp.file('partial/data_batch_1.bin', cifarFile([[1]]));
      tmp.file('partial/data_batch_2.bin', cifarFile([[1]]));
      const e = left(await cifar10.load({ dir: d }, '.'));
      expect(e).toMatchObject({ file: path.join(d, 'data_batch_3.bin'), message: 'file not found' });
      expect(e.hint).toMatch(/cifar-10-binary\.tar\.gz/);
    });

    it('a truncated file', async () => {
      const full = cifarFile([[1], [2]]);
      mkdirSync(path.join(tmp.dir, 'cut'));
      const file = tmp.file('cut/test_batch.bin', full.subarray(0, full.length - 100));
      const e = left(await cifar10.load({ dir: path.dirname(file), part: 'test' }, '.'));
      expect(e.file).toBe(file);
      expect(e.message).toMatch(/^has 6046 bytes, not a whole number of 3073-byte records \(1 records and 2973 bytes left over\)/);
    });

    it('a label out of range (a CIFAR-100 file given to cifar10)', async () => {
      const d = path.join(tmp.dir, 'wrong');
      mkdirSync(d);
      const file = tmp.file('wrong/test_batch.bin', cifarFile([[4], [12]]));
      const e = left(await cifar10.load({ dir: d, part: 'test' }, '.'));
      expect(e).toEqual({ file, message: 'record 2 has label 12, but CIFAR-10 labels are 0..9' });
    });

    it('an empty file', async () => {
      const d = path.join(tmp.dir, 'empty');
      mkdirSync(d);
      const file = tmp.file('empty/test_batch.bin', new Uint8Array(0));
      expect(left(await cifar10.load({ dir: d, part: 'test' }, '.'))).toEqual({ file, message: 'is empty' });
    });
  });
});

describe('cifar100 loader', () => {
  // (coarse, fine) label pairs.
  tmp.file(at(dir100, 'train.bin'), cifarFile([[4, 30], [19, 99], [0, 7]], 20));
  tmp.file(at(dir100, 'test.bin'), cifarFile([[1, 1], [2, 2], [3, 3]], 50));

  it('reads fine labels by default, coarse on request', async () => {
    const fine = right(await cifar100.load({ dir: dir100 }, '.'));
    expect(Array.from(field(fine, 'y').data)).toEqual([30, 99, 7]);
    expect(field(fine, 'y').classes).toBe(100);
    expectImages(fine, 20);
    const coarse = right(await cifar100.load({ dir: dir100, labels: 'coarse' }, '.'));
    expect(Array.from(field(coarse, 'y').data)).toEqual([4, 19, 0]);
    expect(field(coarse, 'y').classes).toBe(20);
    const test = right(await cifar100.load({ dir: dir100, part: 'test' }, '.'));
    expectImages(test, 50);
  });

  it('knows the class count statically', () => {
    expect(E.map((s: Record<string, { classes?: number }>) => s['y']?.classes)(cifar100.schema({ dir: 'd', labels: 'coarse' }))).toEqual(E.right(20));
    expect(E.isLeft(cifar100.schema({ dir: 'd', labels: 'medium' }))).toBe(true);
  });

  describe('malformed input', () => {
    it('a missing file', async () => {
      const e = left(await cifar100.load({ dir: tmp.dir }, '.'));
      expect(e).toMatchObject({ file: path.join(tmp.dir, 'train.bin'), message: 'file not found' });
      expect(e.hint).toMatch(/cifar-100-binary/);
    });

    it('a CIFAR-10 file given to cifar100: the record size does not divide', async () => {
      const d = path.join(tmp.dir, 'ten');
      mkdirSync(d);
      const file = tmp.file('ten/train.bin', cifarFile([[1], [2], [3]]));
      const e = left(await cifar100.load({ dir: d }, '.'));
      expect(e.file).toBe(file);
      expect(e.message).toMatch(/^has 9219 bytes, not a whole number of 3074-byte records/);
    });

    it('a coarse label out of range, even when fine labels are used', async () => {
      const d = path.join(tmp.dir, 'coarse');
      mkdirSync(d);
      const file = tmp.file('coarse/train.bin', cifarFile([[4, 30], [25, 9]]));
      expect(left(await cifar100.load({ dir: d }, '.'))).toEqual({ file, message: 'record 2 has coarse label 25, but CIFAR-100 coarse labels are 0..19' });
      rmSync(d, { recursive: true });
    });
  });
});
