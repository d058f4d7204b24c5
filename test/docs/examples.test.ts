/**
 * The language reference promises that every ```xreg example in it is a complete program that
 * compiles; ```xreg error examples must be refused (with the codes named on the fence);
 * ```xreg fragment examples only need to parse.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { parseProgram } from '../../dsl/parse.js';
import { compileText } from '../../compiler/compile.js';
import type { Diagnostic } from '../../dsl/diagnostic.js';
import { xregBlocks, type Block } from '../helpers/xreg-blocks.js';

const root = join(import.meta.dirname, '..', '..');
const docPath = join(root, 'docs', 'language.md');

const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(join(root, p), 'utf8'));
  } catch (e) {
    return E.left(String(e));
  }
};

const errorsOf = (ds: readonly Diagnostic[]): string[] =>
  ds.filter((d) => d.severity === 'error').map((d) => `${d.span.start.line}:${d.span.start.column} ${d.code} ${d.message}`);

const blocks = xregBlocks(readFileSync(docPath, 'utf8'));
const kindOf = (b: Block): 'program' | 'error' | 'fragment' =>
  b.info.includes('error') ? 'error' : b.info.includes('fragment') ? 'fragment' : 'program';

describe('xregBlocks', () => {
  it('extracts only xreg fences, with their info string and first line', () => {
    const md = ['# t', '```xreg', 'seed 1', '```', '```', 'not xreg', '```', '```xreg error', 'seed', '```'].join('\n');
    expect(xregBlocks(md)).toEqual([
      { info: 'xreg', text: 'seed 1', line: 3 },
      { info: 'xreg error', text: 'seed', line: 9 },
    ]);
  });
});

describe('docs/language.md examples', () => {
  it('has examples, most of them complete programs', () => {
    expect(blocks.length).toBeGreaterThan(10);
    expect(blocks.filter((b) => kindOf(b) === 'program').length).toBeGreaterThan(blocks.length / 2);
  });

  const cases = blocks.map((b) => [`line ${b.line} (${kindOf(b)})`, b] as const);
  it.each(cases)('example at %s', (_name, b) => {
    // the example's own file name puts relative paths beside docs/language.md
    const file = 'docs/example.xreg';
    const parsed = parseProgram(b.text, file);
    switch (kindOf(b)) {
      case 'fragment':
        expect(errorsOf(parsed.diagnostics)).toEqual([]);
        break;
      case 'program':
        expect(errorsOf(parsed.diagnostics)).toEqual([]);
        expect(errorsOf(compileText(b.text, file, { readFile }).diagnostics)).toEqual([]);
        break;
      case 'error': {
        const r = compileText(b.text, file, { readFile });
        expect(errorsOf(r.diagnostics).length).toBeGreaterThan(0);
        expect(r.ir).toBeUndefined();
        // `xreg error E0501`: the fence names the code the example exists to show
        const codes = b.info.split(/\s+/).filter((w) => /^[EW]\d{4}$/.test(w));
        for (const c of codes) expect(r.diagnostics.map((d) => d.code)).toContain(c);
        break;
      }
    }
  });
});
