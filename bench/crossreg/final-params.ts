/**
 * A parameter's value at the end of a completed `xreg run` (its final checkpoint), or of a sweep's
 * selected member (`sub` = SELECTED_DIR), as float64, for scripts and tests comparing with baselines.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as path from 'node:path';
import { loadCheckpoint } from '../../runtime/checkpoint/store.js';

// `_programFile` is kept for callers: the checkpoint is read without checking its program identity.
export const finalParameter = async (runDir: string, _programFile: string, name: string, sub = ''): Promise<Float64Array> => {
  const ck = await loadCheckpoint(path.join(runDir, sub), {});
  if (E.isLeft(ck)) throw new Error(`${runDir}: ${ck.left}`);
  const p = ck.right.snapshot.live[0]?.state.params[name];
  if (p === undefined) throw new Error(`${runDir}: no parameter ${name}`);
  return Float64Array.from(p.dataSync());
};
