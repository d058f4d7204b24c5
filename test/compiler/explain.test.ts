import { describe, expect, it } from 'vitest';
import { explain } from '../../compiler/explain.js';
import { explainCommand, parseOverrides } from '../../cli/commands/explain.js';
import * as E from 'fp-ts/lib/Either.js';
import { compile, NOISE } from './helpers.js';

describe('xreg explain', () => {
  it('prints partitions with counts that add up, rules and shaped loss trees', () => {
    const ir = compile(NOISE).ir!;
    const text = explain(ir);
    const total = ir.params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
    expect(text).toMatch(new RegExp(`all\\s+\\(total\\)\\s+${total}\\n`));
    expect(text).toMatch(/rho\s+net\.block3\.noise\.log_sigma\s+\[\]\s+1/);
    expect(text).toContain('layer dense(units: 10, bias: true) {net.dense.w, net.dense.b}  : [B, 10]');
    expect(text).toContain('over reg batch 512  : []');
  });

  it('the command compiles a file from disk and fails with diagnostics on a broken one', () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(explainCommand('programs/crossreg/ridge.xreg', { set: ['unused=1'] }, io)).toBe(0);
    expect(out.join('')).toContain('rule update2  [rho]');
    expect(err.join('\n')).toContain('W0212');
    expect(explainCommand('programs/does-not-exist.xreg', {}, io)).toBe(1);
  });

  it('parses --set values by type', () => {
    expect(parseOverrides(['a=1', 'b=true', 'c=x'])).toEqual(E.right({ a: 1, b: true, c: 'x' }));
    expect(E.isLeft(parseOverrides(['nope']))).toBe(true);
  });
});
