import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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

const good = file('good.xreg', 'param rho : Scalar = 1\nloss fit = mse(rho * x, y) over train\nrun 10 steps\n');
const good2 = file('good2.xreg', 'let lr = 0.1\n');
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
