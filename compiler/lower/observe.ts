/** Observed values (losses for the log, metrics, report items) as closures returning numbers. */
import { tf } from '../../stdlib/tf.js';
import type { Env, Ev, HelperState } from './eval.js';
import type { NonFiniteOrigin } from './nonfinite.js';
import { keepNewHelpers, makeEnv } from './rule.js';
import { Salt } from './seeds.js';
import type { BatchNeed, Batches, LoweredObservable, RunState } from './types.js';

/**
 * Evaluated under tf.tidy, with a stop on every gradient path (nothing is differentiated here).
 * Helper states advance (a running z-score sees each observation once); everything else is shared.
 */
export const observable = (
  name: string,
  needs: readonly BatchNeed[],
  ev: Ev,
  locate?: (env: Env) => Promise<NonFiniteOrigin | undefined>,
): LoweredObservable => {
  const compute = (state: RunState, batches: Batches, key: number): { v: tf.Tensor; state: RunState; random: boolean } => {
    const helpers: Record<string, HelperState> = { ...state.helpers };
    // Every random draw (noise, a sample) takes its seed from the key: none taken, the value is
    // the same under any key, which lets a population reuse a reported value (runtime/exec/loop.ts).
    let random = false;
    const v = tf.tidy(() => {
      const env = makeEnv(state, batches, key, Salt.observe, helpers);
      const out = ev({
        ...env,
        nextSeed: () => {
          random = true;
          return env.nextSeed();
        },
      });
      keepNewHelpers(helpers, state.helpers);
      // A bare parameter or field is the state's own tensor: the copy is ours to dispose.
      return out.clone();
    });
    return { v, state: { ...state, helpers }, random };
  };
  return {
    name,
    needs,
    // The same draws as `compute` (same key and salt), on a copy of the helper states.
    ...(locate !== undefined ? { firstNonFinite: (state: RunState, batches: Batches, key: number) => locate(makeEnv(state, batches, key, Salt.observe, { ...state.helpers })) } : {}),
    evaluate: (state: RunState, batches: Batches, key: number) => {
      const r = compute(state, batches, key);
      const value = r.v.dataSync()[0] ?? Number.NaN;
      r.v.dispose();
      return { value, state: r.state, random: r.random };
    },
    evaluateAsync: async (state: RunState, batches: Batches, key: number) => {
      const r = compute(state, batches, key);
      try {
        return { value: (await r.v.data())[0] ?? Number.NaN, state: r.state, random: r.random };
      } finally {
        r.v.dispose();
      }
    },
  };
};
