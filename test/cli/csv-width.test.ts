/**
 * `xreg check` reads a CSV's header when `csv(...)` has no `features:`, and checks the program's
 * shapes against that width: a located E0230 in the user's words (golden), where it used to check
 * clean and fail at the first step of the run. `xreg explain` does not print the default
 * `features: 0` (it means "not stated").
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkFiles } from '../../cli/check.js';
import { compileText } from '../../compiler/compile.js';
import { explain } from '../../compiler/explain.js';

const file = 'test/cli/golden/csv_width.xreg';
const expectedPath = 'test/cli/golden/csv_width.expected';

describe('a CSV without features:', () => {
  it("is checked against its header's width (golden)", async () => {
    const r = await checkFiles([file], { color: false });
    expect(r.exitCode).toBe(1);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['E0230']);
    if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(expectedPath)) writeFileSync(expectedPath, r.stdout);
    expect(r.stdout).toBe(readFileSync(expectedPath, 'utf8'));
  });

  it('checks clean when the widths agree, and says nothing when the file cannot be read (the run reports that)', async () => {
    const text = readFileSync(file, 'utf8');
    const ok = await checkFiles([file], { color: false, read: async () => Promise.resolve({ _tag: 'Right', right: text.replace('Tensor[3]', 'Tensor[10]') }) });
    expect(ok.diagnostics).toEqual([]);
    const missing = await checkFiles([file], { color: false, read: async () => Promise.resolve({ _tag: 'Right', right: text.replace('data/diabetes.csv', 'data/none.csv') }) });
    expect(missing.diagnostics).toEqual([]);
  });

  it('is explained without the default features: 0, and with a stated width', () => {
    const text = readFileSync(file, 'utf8');
    const plain = explain(compileText(text.replace('Tensor[3]', 'Tensor[10]'), file).ir!);
    expect(plain).toContain('csv(path: "data/diabetes.csv")');
    expect(plain).not.toContain('features: 0');
    const stated = explain(compileText(text.replace('Tensor[3]', 'Tensor[10]').replace('target: "y")', 'target: "y", features: 10)'), file).ir!);
    expect(stated).toContain('features: 10');
  });
});
