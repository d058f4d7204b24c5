import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';
import { formatSpan } from '../../dsl/span.js';

const root = 'programs';
const programs = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'lib')
  .flatMap((d) => readdirSync(join(root, d.name)).filter((f) => f.endsWith('.xreg')).map((f) => join(root, d.name, f)));

const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(p, 'utf8'));
  } catch (e) {
    return E.left(String(e));
  }
};

describe('every program under programs/ compiles without errors (and without reading data)', () => {
  it('finds programs', () => expect(programs.length).toBeGreaterThan(0));
  for (const file of programs) {
    it(file, () => {
      const r = compileText(readFileSync(file, 'utf8'), file, { readFile });
      const errs = r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${formatSpan(d.span)} ${d.code} ${d.message}`);
      expect(errs).toEqual([]);
      expect(r.ir).toBeDefined();
    });
  }
});
