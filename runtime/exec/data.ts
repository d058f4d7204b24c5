/** A program's data made ready for the loop: loaded, transformed, split, with growth and the main split. */
import * as E from 'fp-ts/lib/Either.js';
import * as path from 'node:path';
import type { IRProgram } from '../../compiler/ir.js';
import type { DataError, Dataset } from '../../stdlib/types.js';
import { type Registry, lookup } from '../../stdlib/registry.js';
import { batchKey } from '../../compiler/lower/types.js';
import { loadData, splitDataset, type Growth, type TransformUse } from '../data/index.js';

export interface PreparedData {
  /** `${data}.${split}` → its examples. */
  readonly splits: Readonly<Record<string, Dataset>>;
  readonly growth: Readonly<Record<string, Growth>>;
  /** The split epochs are measured on: the first split named `train`, else the first split. */
  readonly main: { readonly key: string; readonly size: number };
}

export const mainSplitKey = (ir: IRProgram): string | undefined => {
  for (const d of ir.data) for (const s of d.splits) if (s.name === 'train') return batchKey(d.name, s.name);
  const d = ir.data[0];
  const s = d?.splits[0];
  return d !== undefined && s !== undefined ? batchKey(d.name, s.name) : undefined;
};

/** Builds PreparedData from data sets already in memory (tests, and `prepareData` below). */
export const fromSplits = (ir: IRProgram, splits: Readonly<Record<string, Dataset>>): PreparedData => {
  const growth: Record<string, Growth> = {};
  for (const d of ir.data) for (const s of d.splits) if (s.grow !== undefined) growth[batchKey(d.name, s.name)] = s.grow;
  const key = mainSplitKey(ir) ?? '';
  return { splits, growth, main: { key, size: splits[key]?.size ?? 1 } };
};

export const prepareData = async (ir: IRProgram, registry: Registry, baseDir = path.dirname(path.resolve(ir.file))): Promise<E.Either<DataError, PreparedData>> => {
  const splits: Record<string, Dataset> = {};
  for (const d of ir.data) {
    const entry = lookup(registry, d.loader);
    if (entry === undefined || entry.kind !== 'loader') return E.left({ message: `data '${d.name}': '${d.loader}' is not a loader` });
    const transforms: TransformUse[] = [];
    for (const tr of d.transforms) {
      const def = lookup(registry, tr.name);
      if (def === undefined || def.kind !== 'transform') return E.left({ message: `data '${d.name}': '${tr.name}' is not a transform` });
      transforms.push({ def, args: tr.args });
    }
    const loaded = await loadData(entry, d.args, transforms, baseDir);
    if (E.isLeft(loaded)) return loaded;
    const parts = d.splits.length === 0 ? E.right({ all: loaded.right }) : splitDataset(loaded.right, d.splits, d.seed);
    if (E.isLeft(parts)) return E.left({ ...parts.left, message: `data '${d.name}': ${parts.left.message}` });
    for (const [name, ds] of Object.entries(parts.right)) splits[batchKey(d.name, name)] = ds;
  }
  return E.right(fromSplits(ir, splits));
};
