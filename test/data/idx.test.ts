import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { idx } from '../../stdlib/data/idx.js';
import { fashionMnist, FASHION_MNIST_DIR } from '../../stdlib/data/fashion_mnist.js';
import { field, gzip, idxFile, imageBytes, left, pixel, right, tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const N = 4;
const H = 3;
const W = 5;
const LABELS = Uint8Array.from([7, 0, 2, 9]);

const expectImages = (x: ArrayLike<number>): void => {
  for (let i = 0; i < N; i++)
    for (let r = 0; r < H; r++) for (let c = 0; c < W; c++) expect(x[(i * H + r) * W + c]).toBeCloseTo(pixel(i, r, c) / 255, 7);
};

describe('idx loader', () => {
  const images = idxFile([N, H, W], imageBytes(N, H, W));
  const labels = idxFile([N], LABELS, 0x08);

  it('reads an uncompressed pair', async () => {
    const ds = right(await idx.load({ images: tmp.file('i.idx', images), labels: tmp.file('l.idx', labels) }, tmp.dir));
    expect(ds.size).toBe(N);
    expect(field(ds, 'x').shape).toEqual([H, W]);
    expectImages(field(ds, 'x').data);
    expect(Array.from(field(ds, 'y').data)).toEqual([7, 0, 2, 9]);
    expect(field(ds, 'y').classes).toBe(10);
  });

  it('reads a gzip pair, whatever the file names say', async () => {
    tmp.file('i.gz', gzip(images));
    tmp.file('l.bin', gzip(labels));
    const ds = right(await idx.load({ images: 'i.gz', labels: 'l.bin' }, tmp.dir));
    expectImages(field(ds, 'x').data);
    expect(Array.from(field(ds, 'y').data)).toEqual([7, 0, 2, 9]);
  });

  it('has a symbolic image shape before loading', () => {
    expect(idx.schema({ images: 'a', labels: 'b' })).toEqual(
      E.right({ x: { dtype: 'float32', shape: ['H', 'W'] }, y: { dtype: 'int32', shape: [] } }),
    );
  });

  describe('malformed input', () => {
    it('missing file', async () => {
      const e = left(await idx.load({ images: 'gone.idx', labels: 'l.idx' }, tmp.dir));
      expect(e).toMatchObject({ file: path.join(tmp.dir, 'gone.idx'), message: 'file not found' });
    });

    it('the two files swapped: bad magic', async () => {
      const e = left(await idx.load({ images: 'l.idx', labels: 'i.idx' }, tmp.dir));
      expect(e).toEqual({ file: path.join(tmp.dir, 'l.idx'), message: 'bad IDX magic 0x00000801 (expected 0x00000803 for images)' });
      const zeros = tmp.file('zeros.idx', new Uint8Array(64));
      expect(left(await idx.load({ images: zeros, labels: 'l.idx' }, tmp.dir)).message).toBe(
        'bad IDX magic 0x00000000 (expected 0x00000803 for images)',
      );
    });

    it('a truncated images file, a truncated header and a tiny file', async () => {
      const cut = tmp.file('cut.idx', images.subarray(0, images.length - 7));
      const e = left(await idx.load({ images: cut, labels: 'l.idx' }, tmp.dir));
      expect(e.file).toBe(cut);
      expect(e.message).toBe(`is truncated: its header declares 4×3×5 bytes of images (60) but only ${60 - 7} follow`);
      const head = tmp.file('head.idx', images.subarray(0, 10));
      expect(left(await idx.load({ images: head, labels: 'l.idx' }, tmp.dir)).message).toBe(
        'is truncated: the IDX header needs 16 bytes but the file has 10',
      );
      const tiny = tmp.file('tiny.idx', new Uint8Array(2));
      expect(left(await idx.load({ images: tiny, labels: 'l.idx' }, tmp.dir)).message).toMatch(/too short to be an IDX file/);
    });

    it('labels and images of different counts', async () => {
      const few = tmp.file('few.idx', idxFile([3], LABELS.subarray(0, 3)));
      const e = left(await idx.load({ images: 'i.idx', labels: few }, tmp.dir));
      expect(e.file).toBe(few);
      expect(e.message).toBe(`labels file has 3 items but images file has 4 (${path.join(tmp.dir, 'i.idx')})`);
    });

    it('bytes after the declared data', async () => {
      const long = new Uint8Array(images.length + 3);
      long.set(images);
      const file = tmp.file('long.idx', long);
      expect(left(await idx.load({ images: file, labels: 'l.idx' }, tmp.dir)).message).toBe('has 3 bytes after the 4×3×5 images its header declares');
    });
  });
});

describe('fashion_mnist loader', () => {
  it('reads the installed data set (test part) as the raw files say', async () => {
    // CI installs Debian's dataset-fashion-mnist (apt-get install -y dataset-fashion-mnist).
    const ds = right(await fashionMnist.load({ part: 'test' }, '.'));
    expect(ds.size).toBe(10000);
    expect(field(ds, 'x').shape).toEqual([28, 28]);
    const rawImages = gunzipSync(readFileSync(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz')));
    const rawLabels = gunzipSync(readFileSync(path.join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz')));
    const x = field(ds, 'x').data;
    for (let i = 0; i < 10; i++) {
      expect(field(ds, 'y').data[i]).toBe(rawLabels[8 + i]);
      for (let p = 0; p < 784; p += 13) expect(x[i * 784 + p]).toBeCloseTo((rawImages[16 + i * 784 + p] as number) / 255, 7);
    }
  });

  it('names the missing file and says how to install it', async () => {
    const e = left(await fashionMnist.load({ dir: tmp.dir, part: 'train' }, '.'));
    expect(e.file).toBe(path.join(tmp.dir, 'train-images-idx3-ubyte.gz'));
    expect(e.message).toBe('file not found');
    expect(e.hint).toMatch(/^install it with: apt-get install -y dataset-fashion-mnist, or pass dir:/);
  });

  it('rejects a part other than train or test', () => {
    expect(fashionMnist.schema({ part: 'validation' })).toEqual(
      E.left(`fashion_mnist: argument 'part' must be one of "train", "test", got "validation"`),
    );
  });
});
