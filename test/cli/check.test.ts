import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFiles, summaryLine } from '../../cli/check.js';
import { useColor } from '../../cli/commands/check.js';
import { warning } from '../../dsl/diagnostic.js';

const dir = mkdtempSync(join(tmpdir(), 'xreg-check-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const dataLines = [
  'data d = correlated_features(base: 5, copies: 2, noise: 0.1, n: 100, seed: 1)',
  'split d { train: 0.5, reg: 0.25, test: 0.25 }',
  'param theta : Tensor[10] ~ normal(0, 1)',
  'fn predict(x) = x @ theta',
  'loss fit = mse(predict(x), y) over train',
];
const good = file('good.xreg', [...dataLines, 'update theta by sgd(lr: 0.01) on fit', 'run 10 steps', ''].join('\n'));
const good2 = file('good2.xreg', 'let lr = 0.1\n');
// Fitting on the test split: parses, but the compiler's leakage check refuses it.
const leaky = file(
  'leaky.xreg',
  [...dataLines, 'loss peek = mse(predict(x), y) over test', 'update theta by sgd(lr: 0.01) on peek', ''].join('\n'),
);
const bad = file('bad.xreg', 'param theta Tensor[3]\nupdte theta by sgd on fit\n');

describe('checkFiles', () => {
  it('exits 0 with "all clean" when every file is clean', async () => {
    const r = await checkFiles([good, good2]);
    expect(r.exitCode).toBe(0);
    expect(r.diagnostics).toEqual([]);
    expect(r.stdout.trim()).toBe('checked 2 files: all clean');
  });

  it('exits 1 and renders every error when a file has errors', async () => {
    const r = await checkFiles([good, bad]);
    expect(r.exitCode).toBe(1);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['E0102', 'E0101']);
    expect(r.stdout).toContain(`--> ${bad}:1:13`);
    expect(r.stdout).toContain("error[E0101]: unknown declaration 'updte': did you mean 'update'?");
    expect(r.stdout.trim().split('\n').at(-1)).toBe('checked 2 files: 2 errors');
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('exits 2 and names a file that cannot be read, still checking the others', async () => {
    const missing = join(dir, 'nope.xreg');
    const r = await checkFiles([missing, bad]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`cannot read ${missing}`);
    expect(r.diagnostics.length).toBe(2);
  });

  it('reports a semantic error (a loss over test in an update rule) at its place, exit 1', async () => {
    const r = await checkFiles([leaky]);
    expect(r.exitCode).toBe(1);
    const leak = r.diagnostics.find((d) => d.code === 'E0501');
    expect(leak?.span.start).toEqual(expect.objectContaining({ line: 7, column: 34 }));
    expect(leak?.message).toContain("'test'");
    expect(r.stdout).toContain(`--> ${leaky}:7:34`);
    expect(r.stdout).toContain('update theta by sgd(lr: 0.01) on peek');
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^checked 1 file: \d+ errors?$/);
  });

  it('resolves an import relative to the importing file, and shows errors inside it with its own text', async () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'lib.xreg'), 'fn twice(v) = 2 * v\nfn broken(v) = v * nowhere\n');
    const lines = [...dataLines, 'import "sub/lib.xreg"', 'loss fit2 = mse(broken(twice(predict(x))), y) over train'];
    const main = file('uses-lib.xreg', [...lines, 'update theta by sgd(lr: 0.01) on fit2', ''].join('\n'));
    const r = await checkFiles([main]);
    expect(r.diagnostics.filter((d) => d.code === 'E0207')).toEqual([]);
    const inLib = r.diagnostics.filter((d) => d.span.file === join(sub, 'lib.xreg'));
    expect(inLib.map((d) => [d.code, d.span.start.line])).toContainEqual(['E0201', 2]);
    expect(r.stdout).toContain('fn broken(v) = v * nowhere');
    expect(r.exitCode).toBe(1);
  });

  it('every program in programs/ checks clean through checkFiles', async () => {
    const root = join(import.meta.dirname, '..', '..', 'programs');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.xreg'))
      .map((f) => join(root, f));
    expect(files.length).toBeGreaterThan(10);
    const r = await checkFiles(files);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.exitCode).toBe(0);
  });

  it('warnings from the semantic stage do not fail the check', async () => {
    const r = await checkFiles([good], {
      semantics: (program, _text, f) => [warning('W0001', 'just so you know', { ...program.span, file: f })],
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('checked 1 file: 1 warning');
  });

  it('skips the semantic stage for a file with syntax errors', async () => {
    let called = 0;
    await checkFiles([bad], {
      semantics: () => {
        called++;
        return [];
      },
    });
    expect(called).toBe(0);
  });

  it('prints a JSON array with --json', async () => {
    const r = await checkFiles([bad], { json: true });
    const parsed: unknown = JSON.parse(r.stdout);
    expect(parsed).toEqual([
      expect.objectContaining({ severity: 'error', code: 'E0102', file: bad, line: 1, column: 13, endLine: 1, endColumn: 19 }),
      expect.objectContaining({ code: 'E0101', line: 2, column: 1, hint: null }),
    ]);
    expect(r.stderr).toContain('checked 1 file: 2 errors');
  });

  it('colors only on request', async () => {
    const r = await checkFiles([bad], { color: true });
    expect(r.stdout).toContain('\u001b[');
  });
});

describe('summary and color policy', () => {
  it('counts in words', () => {
    expect(summaryLine(3, [])).toBe('checked 3 files: all clean');
    expect(summaryLine(1, [], 1)).toBe('checked 1 file: 1 unreadable');
  });

  it('colors only a TTY without NO_COLOR', () => {
    expect(useColor(true, {})).toBe(true);
    expect(useColor(false, {})).toBe(false);
    expect(useColor(undefined, {})).toBe(false);
    expect(useColor(true, { NO_COLOR: '1' })).toBe(false);
  });
});

// The real entry point, run from source (tsx) so that the test does not depend on a fresh `npm run build`.
const root = join(import.meta.dirname, '..', '..');
const entry = join(root, 'cli', 'xreg.ts');

describe('xreg check (the command line)', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });

  it('exit codes 0, 1, 2', () => {
    expect(run('check', good).status).toBe(0);
    const bad1 = run('check', good, bad);
    expect(bad1.status).toBe(1);
    expect(bad1.stdout).toContain('checked 2 files: 2 errors');
    const missing = run('check', join(dir, 'missing.xreg'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('missing.xreg');
    expect(run('no-such-command').status).toBe(2);
  }, 120_000);
});
