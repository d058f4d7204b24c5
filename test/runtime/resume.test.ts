import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../runtime/backend/gradients.js';
import * as E from 'fp-ts/lib/Either.js';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunState } from '../../compiler/lower/types.js';
import { checkpointPath, loadCheckpoint, saveCheckpoint } from '../../runtime/checkpoint/store.js';
import { execute, type ExecOptions } from '../../runtime/exec/loop.js';
import type { ReportRecord } from '../../runtime/exec/member.js';
import { disposeState } from '../../runtime/exec/state.js';
import { fixtureData, fixtureIR, fixtureProgram } from './fixture.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const ir = fixtureIR();
const program = fixtureProgram(ir);
const data = fixtureData(ir);
const id = { program: 'a'.repeat(64), seed: 11 };

const bytes = (s: RunState): Record<string, number[]> => {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(s.params)) out[`p:${k}`] = Array.from(new Uint8Array(v.dataSync<'float32'>().slice().buffer));
  for (const [k, o] of Object.entries(s.opt))
    for (const [n, xs] of Object.entries(o.slots)) xs.forEach((x, i) => (out[`o:${k}.${n}.${i}`] = Array.from(new Uint8Array(x.dataSync<'float32'>().slice().buffer))));
  for (const [k, h] of Object.entries(s.helpers)) for (const [n, x] of Object.entries(h)) out[`h:${k}.${n}`] = Array.from(new Uint8Array(x.dataSync<'float32'>().slice().buffer));
  return out;
};

const tmp = (): Promise<string> => fs.mkdtemp(path.join(os.tmpdir(), 'xreg-ckpt-'));

const run = async (o: Partial<ExecOptions>, records: ReportRecord[]) =>
  execute(program, data, { seed: id.seed, checkpointEvery: 0, onReport: (r) => records.push(r), ...o });

describe('checkpoint and resume', () => {
  it('40 steps straight equal 20 steps, checkpoint, resume 20 — bit for bit, records included', async () => {
    const straightRecs: ReportRecord[] = [];
    const straight = await run({}, straightRecs);
    expect(straight.outcome).toBe('completed');
    expect(straight.total).toBe(40);

    const dir = await tmp();
    const recs: ReportRecord[] = [];
    let at = 0;
    const first = await run(
      { checkpointEvery: 7, save: (s) => saveCheckpoint(dir, s, id), onStep: (m) => (at = m.state.step), shouldStop: () => at >= 20 },
      recs,
    );
    expect(first.outcome).toBe('interrupted');
    for (const s of first.states) disposeState(s);
    const ck = await loadCheckpoint(dir, id);
    if (E.isLeft(ck)) throw new Error(ck.left);
    expect(ck.right.header.step).toBe(20);
    expect(ck.right.snapshot.records).toBe(4);
    const rest = await run({ resume: ck.right.snapshot }, recs);
    expect(rest.outcome).toBe('completed');
    expect(bytes(rest.states[0] as RunState)).toEqual(bytes(straight.states[0] as RunState));
    for (const s of rest.states) disposeState(s);
    expect(recs).toEqual(straightRecs);
    expect(straightRecs.map((r) => r.step)).toEqual([5, 10, 15, 20, 25, 30, 35, 40]);
    for (const s of straight.states) disposeState(s);
  });

  it('a completed run leaves its final parameters in the checkpoint (the periodic saves stop a step short)', async () => {
    const dir = await tmp();
    const done = await run({ checkpointEvery: 7, save: (s) => saveCheckpoint(dir, s, id) }, []);
    expect(done.outcome).toBe('completed');
    const ck = await loadCheckpoint(dir, id);
    if (E.isLeft(ck)) throw new Error(ck.left);
    expect(ck.right.header.step).toBe(40);
    const saved = ck.right.snapshot.live[0]?.state;
    if (saved === undefined) throw new Error('no live member in the final checkpoint');
    expect(bytes(saved)).toEqual(bytes(done.states[0] as RunState));
    // Resuming it is a no-op that completes with the same state.
    const again = await run({ resume: ck.right.snapshot }, []);
    expect(again.outcome).toBe('completed');
    expect(again.stepsRun).toBe(0);
    expect(bytes(again.states[0] as RunState)).toEqual(bytes(done.states[0] as RunState));
    for (const s of [...done.states, ...again.states]) disposeState(s);
  });

  it('a final checkpoint that cannot be written leaves the run completed, with the reason', async () => {
    let saves = 0;
    const done = await run(
      {
        checkpointEvery: 7,
        save: (s) => {
          saves++;
          return s.live[0]?.state.step === 40 ? Promise.reject(new Error('ENOSPC: no space left on device')) : Promise.resolve();
        },
      },
      [],
    );
    expect(done.outcome).toBe('completed');
    expect(done.finalSaveError).toBe('ENOSPC: no space left on device');
    expect(saves).toBe(5 + 1);
    for (const s of done.states) disposeState(s);
  });

  it('a crash while writing (a truncated temp file) leaves the previous checkpoint loadable', async () => {
    const dir = await tmp();
    const r = await run({ length: { steps: 3 }, save: (s) => saveCheckpoint(dir, s, id), shouldStop: () => true }, []);
    for (const s of r.states) disposeState(s);
    const good = await fs.readFile(checkpointPath(dir));
    await fs.writeFile(path.join(dir, `.checkpoint.xckpt.tmp-99999`), good.subarray(0, good.length >> 1));
    const ck = await loadCheckpoint(dir, id);
    expect(E.isRight(ck)).toBe(true);
    if (E.isRight(ck)) {
      expect(ck.right.snapshot.live[0]?.state.step).toBe(1);
      for (const m of ck.right.snapshot.live) disposeState(m.state);
    }
  });

  it('refuses truncated, corrupt, foreign and wrong-seed checkpoints with a message', async () => {
    const dir = await tmp();
    const r = await run({ length: { steps: 3 }, save: (s) => saveCheckpoint(dir, s, id), shouldStop: () => true }, []);
    for (const s of r.states) disposeState(s);
    const file = checkpointPath(dir);
    const good = await fs.readFile(file);
    const expectLeft = async (exp: { program: string; seed?: number }, pattern: RegExp): Promise<void> => {
      const ck = await loadCheckpoint(dir, exp);
      expect(E.isLeft(ck) ? ck.left : 'loaded').toMatch(pattern);
    };
    await expectLeft({ program: id.program, seed: 12 }, /seed 11, not 12; resume with --seed 11/);
    await expectLeft({ program: 'b'.repeat(64) }, /another program/);
    await fs.writeFile(file, good.subarray(0, good.length - 100));
    await expectLeft(id, /checksum mismatch/);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 200] = (flipped[flipped.length - 200] as number) ^ 0xff;
    await fs.writeFile(file, flipped);
    await expectLeft(id, /checksum mismatch/);
    await fs.writeFile(file, Buffer.from('{"format": 1}'));
    await expectLeft(id, /not an xreg checkpoint/);
    await fs.rm(file);
    await expectLeft(id, /no checkpoint/);
  });

  it('tensors do not leak over 1,000 steps', async () => {
    const warm = await run({ length: { steps: 10 } }, []);
    for (const s of warm.states) disposeState(s);
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const r = await run({ length: { steps: 1000 }, onStep: (m) => (m.state.step % 250 === 0 ? counts.push(tf.memory().numTensors) : undefined) }, []);
    expect(new Set(counts).size).toBe(1);
    for (const s of r.states) disposeState(s);
    expect(tf.memory().numTensors).toBe(before);
  });
});
