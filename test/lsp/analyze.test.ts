/**
 * The language server's analysis of a document runs the stages of `xreg check` (plugins included)
 * without TensorFlow.js, like `xreg check`: the editor waits for none of it. `xreg explain` loads
 * the program's plugins too.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTextSync } from '../../cli/check.js';
import { explainCommand } from '../../cli/commands/explain.js';
import { analyze } from '../../cli/lsp/analyze.js';
import { programRegistry } from '../../cli/plugins/registry.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { tfLoaded } from '../../stdlib/tf.js';

const file = path.resolve('examples/plugin/orthogonal.xreg');

describe('document analysis', () => {
  it('compiles and lowers a program with plugins (regularizer, layer, optimizer) and loads no TensorFlow.js', async () => {
    const a = await analyze(file, readFileSync(file, 'utf8'), readTextSync, (f, p) => programRegistry(standardLibrary, f, p, readTextSync), standardLibrary);
    expect(a.diagnostics).toEqual([]);
    expect(a.registry.origins?.get('signum')).toBe(path.resolve('examples/plugin/plugin.ts'));
    expect(a.ir?.params.map((p) => p.path)).toEqual(expect.arrayContaining(['W', 'log_lam', 'head.gated.w', 'head.gated.g']));
    expect(tfLoaded()).toBe(false);
  });

  it('xreg explain loads the plugins the program names', async () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(await explainCommand(file, {}, { out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(0);
    expect(err).toEqual([]);
    expect(out.join('')).toContain('signum(lr: 0.003)');
  });
});
