import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '../../runtime/backend/gradients.js';
import * as E from 'fp-ts/lib/Either.js';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeRunOptions, parseSet } from '../../cli/commands/run.js';
import { execute } from '../../runtime/exec/loop.js';
import { disposeState } from '../../runtime/exec/state.js';
import { metricsWriter, truncateRecords } from '../../runtime/results/metrics.js';
import { Manifest, readManifest, sha256Text, versions, writeManifest } from '../../runtime/results/manifest.js';
import { summaryTable } from '../../runtime/results/summary.js';
import { fixtureData, fixtureIR, fixtureProgram } from './fixture.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('results', () => {
  it('metrics.jsonl holds one record per report with step, epoch and every value; truncation keeps the first n', async () => {
    const ir = fixtureIR({ run: { n: 2, unit: 'epochs' }, reportEvery: { n: 1, unit: 'epochs' } });
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xreg-res-'));
    const file = path.join(dir, 'metrics.jsonl');
    const w = metricsWriter(file);
    const r = await execute(fixtureProgram(ir), fixtureData(ir), { seed: 1, checkpointEvery: 0, onReport: w.write });
    await w.close();
    for (const s of r.states) disposeState(s);
    // 32 training examples, batch 8: 4 steps per epoch, 2 epochs.
    expect(r.stepsPerEpoch).toBe(4);
    const lines = (await fs.readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l['step'], l['epoch']])).toEqual([[4, 1], [8, 2]]);
    for (const l of lines) expect(Object.keys(l).sort()).toEqual(['ema', 'epoch', 'fit', 'step', 'test_mse']);
    expect(r.members[0]?.final['test_mse']).toBe(lines[1]?.['test_mse']);
    expect(summaryTable(r.members)).toMatch(/test_mse/);
    await truncateRecords(file, 1);
    expect((await fs.readFile(file, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('manifest round-trips through its io-ts codec', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'xreg-man-'));
    const m = {
      program: { path: 'p.xreg', sha256: sha256Text('abc') },
      seed: 3,
      backend: { name: 'cpu', detail: 'x' },
      versions: versions(),
      command: ['run', 'p.xreg'],
      overrides: { lam: 0.5, flag: true },
      started: new Date(0).toISOString(),
      totalSteps: 10,
      stepsPerEpoch: 2,
      outcome: 'completed' as const,
    };
    await writeManifest(dir, m);
    expect(await readManifest(dir)).toEqual(m);
    expect(E.isRight(Manifest.decode(m))).toBe(true);
    expect(m.program.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(m.versions.tfjs).toMatch(/^\d+\.\d+/);
  });
});

describe('xreg run options', () => {
  it('--set values parse to number, bool or string', () => {
    expect(parseSet('lam=0.5')).toEqual(E.right(['lam', 0.5]));
    expect(parseSet('flag=false')).toEqual(E.right(['flag', false]));
    expect(parseSet('name=adam')).toEqual(E.right(['name', 'adam']));
    expect(E.isLeft(parseSet('=3'))).toBe(true);
  });
  it('decodes numbers as positive integers and the backend as a known name', () => {
    const ok = decodeRunOptions('p.xreg', { steps: '20', seed: '0', backend: 'cpu', set: ['a=1'] }, []);
    expect(E.isRight(ok) && ok.right).toMatchObject({ steps: 20, seed: 0, backend: 'cpu', set: { a: 1 } });
    const bad = (raw: unknown, pattern: RegExp): void => {
      const r = decodeRunOptions('p.xreg', raw, []);
      expect(E.isLeft(r) ? r.left : 'decoded').toMatch(pattern);
    };
    bad({ steps: '0' }, /--steps: expected a positive integer/);
    bad({ epochs: '2.5' }, /--epochs/);
    bad({ backend: 'gpu' }, /--backend/);
    bad({ steps: '3', epochs: '2' }, /alternatives/);
    bad({ checkpointEvery: '-1' }, /--checkpoint-every/);
  });
});
