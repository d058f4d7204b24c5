/**
 * A training step on wasm makes no new ArrayBuffer for its batch, its noise draws or the gradients
 * of layer_norm's means (stdlib/filled-tensor.ts, stdlib/grad-registry.ts): V8 runs a full
 * collection for every 64 MB of ArrayBuffers allocated, which cost a population's workers 11% of
 * their CPU (bench/README.md). Measured as the growth of the bytes held in ArrayBuffers over one
 * step after a full collection: it can only be lowered by a collection inside the step, never raised.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lowerProgram } from '../../compiler/lower/index.js';
import { finalSpe } from '../../compiler/lower/clock.js';
import { prepareData } from '../../runtime/exec/data.js';
import { reportPlan } from '../../runtime/exec/loop.js';
import { freshMember, runStep, type MemberState, type RunContext } from '../../runtime/exec/member.js';
import { runClock, totalSteps } from '../../runtime/exec/schedule.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { activateWasm, rememberBackend } from '../backend/helpers.js';
import { irOf } from '../compiler/lower-text.js';

const restoreBackend = rememberBackend();
beforeAll(activateWasm);
afterAll(restoreBackend);

// pbt.xreg's block on synthetic data: dense, layer_norm without affine part, noise, relu.
const text = `data d = correlated_features(base: 16, copies: 4, noise: 0.3, n: 1024, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
model net(x) = x |> dense(64) |> layer_norm(affine: false) |> noise(init: -3) |> relu |> dense(1)
loss fit = mse(net(x), y) over train
update params(net) by adam(lr: 1e-3) on fit
run 20 steps batch 256
`;

/** V8's full collection, from a flag set at run time (vitest starts Node without --expose-gc). */
const fullGc = (): void => {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
};

describe('a training step on wasm', () => {
  it('allocates no ArrayBuffer for its batch, noise or mean gradients', async () => {
    await tf.setBackend('wasm');
    const ir = irOf(text);
    const data = await prepareData(ir, standardLibrary, process.cwd());
    if (E.isLeft(data)) throw new Error(data.left.message);
    const clock = runClock(data.right.main.size, ir.run.batch, data.right.growth[data.right.main.key]);
    const lowered = lowerProgram(ir, standardLibrary, { stepsPerEpoch: finalSpe(clock), clock });
    if (E.isLeft(lowered)) throw new Error(lowered.left.map((d) => d.message).join('\n'));
    const program = lowered.right;
    const total = totalSteps(ir.run.length, clock);
    const ctx: RunContext = { program, data: data.right, clock, total, report: reportPlan(program, total), multi: false };
    let member: MemberState = freshMember(program, 0, 0);
    const step = (): void => {
      member = runStep(ctx, member).member;
    };
    for (let i = 0; i < 3; i++) step(); // kernels compiled, buffers made once
    const growth: number[] = [];
    for (let i = 0; i < 3; i++) {
      fullGc();
      const before = process.memoryUsage().arrayBuffers;
      step();
      growth.push(process.memoryUsage().arrayBuffers - before);
    }
    // Before: the batch (256 × 64 floats, 64 KB), the noise (256 × 64, 64 KB), two ones for the
    // means' gradients (64 KB each), every step. Now: a few small reads (the loss).
    expect(Math.max(...growth)).toBeLessThan(4096);
  });
});
