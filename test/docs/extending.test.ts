/**
 * docs/extending.md: every ```xreg block is checked as `xreg check` checks a file (its plugins
 * loaded from the block's `plugin` lines, relative to docs/), lowering included; ```xreg error
 * blocks must be refused with the codes on their fence.
 */
import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { compilerSemantics, readTextSync } from '../../cli/check.js';
import { programRegistry } from '../../cli/plugins/registry.js';
import type { Diagnostic } from '../../dsl/diagnostic.js';
import { parseProgram } from '../../dsl/parse.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { xregBlocks } from '../helpers/xreg-blocks.js';

const blocks = xregBlocks(readFileSync('docs/extending.md', 'utf8'));

const checked = async (text: string): Promise<readonly Diagnostic[]> => {
  const file = 'docs/example.xreg';
  const parsed = parseProgram(text, file);
  if (parsed.diagnostics.length > 0) return parsed.diagnostics;
  const registry = await programRegistry(standardLibrary, file, parsed.program, readTextSync);
  return E.isLeft(registry) ? registry.left : compilerSemantics(readTextSync, registry.right)(parsed.program, text, file);
};

describe('docs/extending.md examples', () => {
  it('has programs, fragments and an error example for every plugin code', () => {
    const codes = blocks.flatMap((b) => b.info.split(/\s+/).filter((w) => /^E08\d\d$/.test(w)));
    expect(codes).toEqual(expect.arrayContaining(['E0800', 'E0801', 'E0802', 'E0803', 'E0804']));
    expect(blocks.filter((b) => b.info === 'xreg').length).toBeGreaterThanOrEqual(2);
  });

  it.each(blocks.map((b) => [`line ${b.line} (${b.info})`, b] as const))('example at %s', async (_n, b) => {
    if (b.info.includes('fragment')) {
      expect(parseProgram(b.text, 'docs/example.xreg').diagnostics).toEqual([]);
      return;
    }
    const ds = await checked(b.text);
    const errors = ds.filter((d) => d.severity === 'error');
    if (!b.info.includes('error')) {
      expect(errors.map((d) => `${d.code} ${d.message}`)).toEqual([]);
      return;
    }
    expect(errors.length).toBeGreaterThan(0);
    for (const c of b.info.split(/\s+/).filter((w) => /^[EW]\d{4}$/.test(w))) expect(ds.map((d) => d.code)).toContain(c);
  });
});
