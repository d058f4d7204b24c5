/**
 * What the divergence check costs: a program trained for N steps with the check after every
 * update and without it, interleaved in one process (ABAB...), median ratio reported.
 *
 *   npx tsx bench/faults/finite-check-cost.ts [program.xreg] [steps] [rounds]
 */
import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import { compileText } from '../../compiler/compile.js';
import { lowerProgram } from '../../compiler/lower/index.js';
import { selectBackend } from '../../runtime/backend/select.js';
import { prepareData } from '../../runtime/exec/data.js';
import { execute } from '../../runtime/exec/loop.js';
import { stepsPerEpoch } from '../../runtime/exec/schedule.js';
import { disposeState } from '../../runtime/exec/state.js';
import { standardLibrary } from '../../stdlib/registry.js';

const file = process.argv[2] ?? 'programs/crossreg/spline_implicit.xreg';
const steps = Number(process.argv[3] ?? 600);
const rounds = Number(process.argv[4] ?? 5);

const main = async (): Promise<void> => {
  const be = await selectBackend('wasm');
  if (E.isLeft(be)) throw new Error(be.left);
  const c = compileText(readFileSync(file, 'utf8'), file, { readFile: (p) => E.right(readFileSync(p, 'utf8')) });
  if (c.ir === undefined) throw new Error('compile');
  const data = await prepareData(c.ir, standardLibrary);
  if (E.isLeft(data)) throw new Error(data.left.message);
  const low = lowerProgram(c.ir, standardLibrary, { stepsPerEpoch: stepsPerEpoch(data.right.main.size, c.ir.run.batch) });
  if (E.isLeft(low)) throw new Error('lower');
  const time = async (watch: boolean): Promise<number> => {
    const t0 = performance.now();
    const r = await execute(low.right, data.right, { seed: 1, checkpointEvery: 0, length: { steps }, watchFinite: watch, onDiverge: () => false });
    for (const s of r.states) disposeState(s);
    return performance.now() - t0;
  };
  await time(true);
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const on = await time(true);
    const off = await time(false);
    ratios.push(on / off);
    console.log(`round ${i + 1}: check ${on.toFixed(0)} ms, none ${off.toFixed(0)} ms, ratio ${(on / off).toFixed(3)}`);
  }
  ratios.sort((a, b) => a - b);
  console.log(`${file}, ${steps} steps, backend ${be.right.name}: median ratio ${ratios[Math.floor(ratios.length / 2)]?.toFixed(3)} (load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')})`);
};
await main();
