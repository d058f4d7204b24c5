import { afterAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { formatDataError, loadData } from '../../runtime/data/load.js';
import { loaders, transforms } from '../../stdlib/data/index.js';
import type { LoaderDef, TransformDef } from '../../stdlib/types.js';
import { field, left, right, tempDir } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const tmp = tempDir();
afterAll(tmp.cleanup);

const loader = (name: string): LoaderDef => {
  const l = loaders.find((e) => e.name === name);
  if (l === undefined) throw new Error(name);
  return l;
};
const transform = (name: string): TransformDef => {
  const t = transforms.find((e) => e.name === name);
  if (t === undefined) throw new Error(name);
  return t;
};

describe('the stdlib data entries', () => {
  it('are the loaders and transforms of docs/stdlib.md, each with a static schema', () => {
    expect(loaders.map((l) => l.name).sort()).toEqual(
      ['cifar10', 'cifar100', 'correlated_features', 'csv', 'digits', 'fashion_mnist', 'idx', 'spline_samples', 'svhn'].sort(),
    );
    expect(transforms.map((t) => t.name).sort()).toEqual(['standardize', 'subset']);
    const required: Record<string, Record<string, string>> = { csv: { path: 'a.csv' }, idx: { images: 'a', labels: 'b' }, cifar10: { dir: 'd' }, cifar100: { dir: 'd' }, svhn: { path: 'p' } };
    for (const l of loaders) {
      const s = l.schema(required[l.name] ?? {});
      expect(E.isRight(s) ? Object.keys(s.right).sort() : s.left).toEqual(['x', 'y']);
    }
  });
});

describe('loadData', () => {
  it('loads the diabetes data and standardizes it, as the LASSO program does', async () => {
    const ds = right(await loadData(loader('csv'), { path: 'data/diabetes.csv', target: 'y' }, [{ def: transform('standardize'), args: {} }], path.join(REPO, 'programs')));
    expect(ds.size).toBe(442);
    const x = field(ds, 'x').data;
    const col = Array.from({ length: 442 }, (_, i) => x[i * 10 + 2] as number);
    expect(Math.abs(col.reduce((a, b) => a + b, 0) / 442)).toBeLessThan(1e-5);
  });

  it('applies transforms in order', async () => {
    const ds = right(await loadData(loader('digits'), {}, [{ def: transform('subset'), args: { n: 100, seed: 2 } }, { def: transform('standardize'), args: {} }], REPO));
    expect(ds.size).toBe(100);
  });

  it('reports argument errors, loader errors and transform errors as values', async () => {
    expect(left(await loadData(loader('csv'), {}, [], REPO)).message).toBe("csv: missing argument 'path'");
    expect(left(await loadData(loader('digits'), {}, [{ def: transform('subset'), args: { n: 5000 } }], REPO)).message).toMatch(/more examples than the data set has \(1797\)/);
  });

  it('catches a loader that does not keep the promise of its schema', async () => {
    const liar: LoaderDef = {
      kind: 'loader',
      name: 'liar',
      args: [],
      schema: () => E.right({ x: { dtype: 'float32', shape: [3] }, y: { dtype: 'float32', shape: [] } }),
      load: () => Promise.resolve(E.right({ size: 2, fields: { x: { dtype: 'float32', shape: [4], data: new Float32Array(8) }, y: { dtype: 'float32', shape: [], data: new Float32Array(2) } } })),
    };
    expect(left(await loadData(liar, {}, [], '.')).message).toBe("liar: field 'x' has per-example shape [4], its schema says [3]");
  });
});

describe('formatDataError', () => {
  it('says what, where and how to fix it, on separate lines, without a stack trace', async () => {
    const e = left(await loadData(loader('fashion_mnist'), { dir: tmp.dir }, [], '.'));
    const text = formatDataError(e);
    expect(text.split('\n')).toEqual([
      'error: could not load data',
      `  ${path.join(tmp.dir, 'train-images-idx3-ubyte.gz')}: file not found`,
      expect.stringMatching(/^ {2}hint: install it with: apt-get install -y dataset-fashion-mnist, or pass dir:/),
    ]);
    expect(formatDataError({ message: 'no file here' })).toBe('error: could not load data\n  no file here');
  });
});
