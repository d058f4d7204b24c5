/**
 * Activations are registered once, as functions of one tensor. Written as a pipeline stage
 * (`x |> relu`, `x |> clip(lo: 0, hi: 1)`), such a function is a layer without parameters: this
 * adapter is what the compiler uses for that reading.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { FnDef, LayerDef, Shape } from '../types.js';
import { showShape } from '../functions/shapes.js';

/** Whether `fn` can stand as a pipeline stage: exactly one tensor argument. */
export const isStageFn = (fn: FnDef): boolean => fn.tensorArgs.length === 1;

const BATCH = 'B';

/** The parameter-less layer that applies `fn` to the whole batch; undefined unless `isStageFn`. */
export const fnAsLayer = (fn: FnDef): LayerDef | undefined =>
  !isStageFn(fn)
    ? undefined
    : {
        kind: 'layer',
        name: fn.name,
        args: fn.options,
        stochastic: false,
        infer: (inShape, args) =>
          E.chain((out: Shape) => {
            const [first, ...rest] = out;
            const perExample = rest.filter((d): d is number => typeof d === 'number');
            return first === BATCH && perExample.length === rest.length
              ? E.right({ params: [], outShape: perExample })
              : E.left(`${fn.name} as a layer must keep the batch axis and known sizes, got ${showShape(out)}`);
          })(fn.infer([[BATCH, ...inShape]], args)),
        apply: (_p, x, args) => fn.apply([x], args),
      };
