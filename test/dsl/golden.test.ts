/**
 * Golden tests: each test/dsl/golden/NAME.xreg is compiled (parse errors stop it there, as in
 * `xreg check`) and its diagnostics rendered; the result must
 * equal NAME.expected. `UPDATE_GOLDEN=1 npx vitest run test/dsl/golden.test.ts` rewrites the expected
 * files, which must then be read by eye before committing.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';
import { renderDiagnostic } from '../../dsl/render.js';

const dir = join(import.meta.dirname, 'golden');
const update = process.env['UPDATE_GOLDEN'] === '1';

const render = (name: string, text: string): string => {
  const { diagnostics } = compileText(text, `${name}.xreg`);
  return `${diagnostics.map((d) => renderDiagnostic(d, text)).join('\n\n')}\n`;
};

const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.xreg'))
  .map((f) => f.slice(0, -'.xreg'.length))
  .sort();

describe('golden diagnostics', () => {
  it('has enough cases to cover the grammar', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  for (const name of cases) {
    it(name, () => {
      const text = readFileSync(join(dir, `${name}.xreg`), 'utf8');
      const actual = render(name, text);
      const expectedPath = join(dir, `${name}.expected`);
      if (update || !existsSync(expectedPath)) writeFileSync(expectedPath, actual);
      expect(actual).toBe(readFileSync(expectedPath, 'utf8'));
      // Every golden input is broken: a silent parse would mean a lost diagnostic.
      expect(actual.trim()).not.toBe('');
    });
  }
});
