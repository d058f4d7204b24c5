/**
 * `xreg run` on every program under programs/, in-process on the default backend, as a researcher
 * would start it: a short run into a fresh folder must exit 0, log finite values and leave a
 * manifest saying it completed. Heavy programs run fewer steps; whole-split metrics are evaluated
 * on a subset (--eval-limit) so that the Fashion-MNIST programs stay cheap. No program is skipped:
 * the list is read from the folder, so a new program is tested without touching this file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderAll } from '../../cli/commands/run.js';
import { Manifest } from '../../runtime/results/manifest.js';
import { runProgram, type RunOptions } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';

const root = 'programs';
const programs = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'lib')
  .flatMap((d) =>
    readdirSync(path.join(root, d.name))
      .filter((f) => f.endsWith('.xreg'))
      .map((f) => path.join(root, d.name, f)),
  )
  .sort();

/** Whole-split metrics on at most this many examples: digits and the regression sets are smaller. */
const EVAL_LIMIT = 512;

/** Programs whose steps are slow on 2 cores (conv nets, SRN's conv1d over the weights, 20 members). */
const lighter: Readonly<Record<string, Partial<Pick<RunOptions, 'steps' | 'set'>>>> = {
  'programs/noise/augment.xreg': { steps: 3 },
  'programs/noise/pbt.xreg': { steps: 2 },
  'programs/srn/srn_online.xreg': { steps: 3 },
  'programs/srn/srn_two_phase.xreg': { steps: 5 },
  // second order through the SRN's conv1d stack: seconds per step
  'programs/srn/srn_online_exact.xreg': { steps: 1 },
  'programs/crossreg/ridge_path.xreg': { steps: 5 },
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const finiteValues = (line: string): number => {
  const rec = JSON.parse(line) as Record<string, unknown>;
  return Object.entries(rec).filter(([k, v]) => k !== 'step' && k !== 'epoch' && k !== 'member' && typeof v === 'number' && Number.isFinite(v)).length;
};

describe('xreg run on every program under programs/', () => {
  it('finds the programs', () => expect(programs.length).toBeGreaterThanOrEqual(19));

  for (const file of programs) {
    const light = lighter[file] ?? {};
    const steps = light.steps ?? 20;
    it(`${file} (--steps ${steps})`, async () => {
      const out = mkdtempSync(path.join(os.tmpdir(), 'xreg-prog-'));
      dirs.push(out);
      const info: string[] = [];
      const errors: string[] = [];
      let started: { total: number; members: number } | undefined;
      let stepCalls = 0;
      const code = await runProgram(
        { registry: standardLibrary, file, out, steps, set: light.set ?? {}, checkpointEvery: 1000, evalLimit: EVAL_LIMIT, argv: ['run', file] },
        {
          info: (l) => info.push(l),
          error: (l) => errors.push(l),
          renderDiagnostics: renderAll,
          onStart: (p) => (started = { total: p.total, members: p.members }),
          onStep: () => stepCalls++,
        },
      );
      expect(errors.join('\n')).toBe('');
      expect(code).toBe(0);

      const lines = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').split('\n').filter((l) => l.length > 0);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.some((l) => finiteValues(l) > 0)).toBe(true);

      const decoded = Manifest.decode(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')));
      expect(decoded._tag).toBe('Right');
      if (decoded._tag !== 'Right') return;
      const m = decoded.right;
      expect(m.outcome).toBe('completed');
      expect(m.totalSteps).toBe(steps);
      // Every member ran every step: sweeps and populations multiply, an unrolled ensemble does not.
      const members = m.mode === 'ensemble' ? 1 : (m.members ?? 1);
      expect(started).toEqual({ total: steps, members });
      expect(m.stepsRun).toBe(steps * members);
      expect(stepCalls).toBe(steps * members);
      expect(m.evalLimit).toBe(EVAL_LIMIT);
      expect((m.losses ?? []).length).toBeGreaterThan(0);

      expect(info[0]).toMatch(/^backend: \w+ — /);
      expect(info).toContain(`output: ${out}`);
      expect(info[info.length - 1]).toBe(`next: xreg plot ${out}`);
    });
  }
});
