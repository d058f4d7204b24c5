/**
 * `run … on divergence continue|stop`: the program says whether training goes on past the first
 * non-finite value. Either way the divergence is named once and recorded in the manifest.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';
import { go, metricsLines, workspace } from '../helpers/run-program.js';

const HEAD = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] = 0.5
loss fit = mse(x @ w, y) over train
`;
const single = (clause: string): string => `${HEAD}update w by sgd(lr: 1e6) on fit
run 20 steps batch 8${clause}
report every 2 steps: fit
`;
/** Member 1 (lr 1e6) diverges, members 0 and 2 do not. */
const sweep = (clause: string): string => `${HEAD}sweep lr in [0.01, 1e6, 0.02] {
  update w by sgd(lr: lr) on fit
}
run 20 steps batch 8${clause}
report every 2 steps: fit
`;

const runIt = async (text: string, extra: { allowDivergence?: boolean } = {}) => {
  const d = workspace({ 'p.xreg': text });
  const out = path.join(d, 'out');
  const r = await go({ file: path.join(d, 'p.xreg'), out, ...extra });
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { outcome: string; divergences?: { step: number; loss?: string; member?: number }[] };
  return { ...r, manifest, records: metricsLines(out) };
};

const warnings = (errors: readonly string[]): string[] => errors.filter((l) => l.startsWith('warning: diverged'));

describe('on divergence', () => {
  it("'continue': one model goes on to its last step after one warning, exit 0, the divergence in the manifest", async () => {
    const r = await runIt(single(' on divergence continue'));
    expect(r.code).toBe(0);
    expect(warnings(r.errors)).toHaveLength(1);
    expect(warnings(r.errors)[0]).toContain("going on (the program's run says 'on divergence continue')");
    expect(r.manifest.outcome).toBe('completed');
    expect(r.manifest.divergences?.[0]?.loss).toBe('fit');
    const steps = r.records.map((x) => x['step']);
    expect(steps.at(-1)).toBe(20);
    // It kept training after the divergence: records past its step.
    expect(steps.filter((s) => (s as number) > (r.manifest.divergences?.[0]?.step ?? 20)).length).toBeGreaterThan(0);
  });

  it('without the clause the same program stops there, exit 1, marked diverged, with the divergence in the manifest', async () => {
    const r = await runIt(single(''));
    expect(r.code).toBe(1);
    expect(r.errors.at(-1)).toContain("'on divergence continue' after the program's run, or --allow-divergence, goes on past it");
    expect(r.manifest.outcome).toBe('diverged');
    const at = r.manifest.divergences?.[0]?.step ?? 0;
    expect(r.manifest.divergences?.[0]?.loss).toBe('fit');
    expect(r.records.every((x) => (x['step'] as number) <= at)).toBe(true);
  });

  it("'stop' ends a sweep at its first diverging member, which without it goes on with the others", async () => {
    const stopped = await runIt(sweep(' on divergence stop'));
    expect(stopped.code).toBe(1);
    expect(stopped.manifest.outcome).toBe('diverged');
    expect(stopped.manifest.divergences?.map((x) => x.member)).toEqual([1]);
    // Member 2 never ran.
    expect(stopped.records.some((x) => x['member'] === 2)).toBe(false);

    const goesOn = await runIt(sweep(''));
    expect(goesOn.code).toBe(0);
    expect(goesOn.manifest.outcome).toBe('completed');
    expect(goesOn.manifest.divergences?.map((x) => x.member)).toEqual([1]);
    expect(goesOn.records.filter((x) => x['member'] === 2).at(-1)?.['step']).toBe(20);
  });

  it("--allow-divergence on the command line wins over the program's 'stop'", async () => {
    const r = await runIt(single(' on divergence stop'), { allowDivergence: true });
    expect(r.code).toBe(0);
    expect(warnings(r.errors)[0]).toContain('(--allow-divergence)');
    expect(r.manifest.divergences).toHaveLength(1);
  });

  it('the clause is in the IR; neither word is reserved (both stay usable as names)', () => {
    const c = compileText(`let stop = 0.1\nlet divergence = 2\n${single(' on divergence continue').replace('sgd(lr: 1e6)', 'sgd(lr: stop * divergence)')}`, 'p.xreg');
    expect(c.diagnostics).toEqual([]);
    expect(c.ir?.run.onDivergence).toBe('continue');
    expect(compileText(single(''), 'p.xreg').ir?.run.onDivergence).toBeUndefined();
  });
});
