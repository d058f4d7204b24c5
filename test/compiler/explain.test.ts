import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { explain } from '../../compiler/explain.js';
import { compileText } from '../../compiler/compile.js';
import { explainCommand, parseOverrides } from '../../cli/commands/explain.js';
import { compile, NOISE, RIDGE } from './helpers.js';

const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(p, 'utf8'));
  } catch (e) {
    return E.left(String(e));
  }
};

const explainFile = (file: string): string => {
  const r = compileText(readFileSync(file, 'utf8'), file, { readFile });
  expect(r.ir).toBeDefined();
  return explain(r.ir!);
};

/** The partition table: the lines after `partitions` up to the first blank line. */
const partitionRows = (text: string): string[] => {
  const lines = text.split('\n');
  const start = lines.indexOf('partitions') + 1;
  const end = lines.indexOf('', start);
  return lines.slice(start, end);
};

/** The block of one rule: from its header to the next blank line. */
const ruleBlock = (text: string, name: string): string => {
  const i = text.indexOf(`rule ${name} `);
  const j = text.indexOf('\n\n', i);
  return text.slice(i, j < 0 ? undefined : j);
};

describe('xreg explain', () => {
  it('the partition table is aligned and its counts are the parameter sizes', () => {
    const text = explain(compile(NOISE).ir!);
    const rows = partitionRows(text).filter((l) => !l.trimStart().startsWith('(a parameter'));
    // counts are right-aligned: every row ends in the same column
    expect(new Set(rows.map((l) => l.length)).size).toBe(1);
    // NOISE by hand: 784·32 + 32 + 2·(32·32 + 32) + 32·10 + 10 = 27562 trained weights, 3 noise scales
    expect(text).toMatch(/\(8 parameters\)\s+27562\n/);
    expect(text).toMatch(/\(3 parameters\)\s+3\n/);
    expect(text).toMatch(/all\s+\(11 parameters\)\s+27565\n/);
    expect(text).toMatch(/rho\s+net\.block1\.noise\.log_sigma\s+\[\]\s+1/);
  });

  it('crossreg_noise.xreg: counts by hand (784·256 + 256 + 2·(256·256 + 256) + 256·10 + 10 = 335114)', () => {
    const text = explainFile('programs/noise/crossreg_noise.xreg');
    expect(text).toMatch(/\(8 parameters\)\s+335114\n/);
    expect(text).toMatch(/all\s+\(11 parameters\)\s+335117\n/);
    expect(ruleBlock(text, 'update1')).toContain('[theta]  8 parameters, 335114 values');
  });

  it('each rule shows targets, loss, splits, optimizer (options as written), schedule and geometry', () => {
    const text = explain(compile(NOISE).ir!);
    const b = ruleBlock(text, 'update2');
    expect(b).toContain('[rho]  3 parameters, 3 values');
    expect(b).toMatch(/targets\s+net\.block1\.noise\.log_sigma, net\.block2\.noise\.log_sigma, net\.block3\.noise\.log_sigma/);
    expect(b).toMatch(/loss\s+gen\n/);
    expect(b).toMatch(/splits\s+reg\n/);
    expect(b).toMatch(/optimizer\s+adam\(lr: 0\.1\)\n/);
    expect(b).toMatch(/schedule\s+every 30 steps\n/);
    expect(b).toMatch(/geometry\s+none\n/);
    const ridge = explain(compile(RIDGE).ir!);
    expect(ruleBlock(ridge, 'update2')).toMatch(/schedule\s+every step, from step 3000\n/);
    expect(ruleBlock(ridge, 'update1')).toMatch(/optimizer\s+sgd\(lr: 0\.01\)\n/);
  });

  it('geometry names its direction, and an inline loss is printed as a formula', () => {
    const text = explainFile('programs/crossreg/lasso.xreg');
    expect(ruleBlock(text, 'update1')).toMatch(/geometry\s+orthogonal to grad\(l1\(w\)\)\n/);
    expect(ruleBlock(text, 'update2')).toMatch(/geometry\s+along grad\(l1\(w\)\)\n/);
    expect(ruleBlock(text, 'update1')).toMatch(/optimizer\s+sgd\(lr: 0\.0005, momentum: 0\.99\)\n/);
    const srn = explainFile('programs/srn/srn_online.xreg');
    expect(ruleBlock(srn, 'update2')).toMatch(/loss\s+\(\(params\(net\.digits_mlp\) \|> flat \|> srn \|> risk_head\) - \(s_meta \+ 0\)\) \^ 2\n/);
  });

  it('a pipeline reads in data order and hides the reshapes the compiler inserted', () => {
    const text = explain(compile(NOISE).ir!);
    const b = ruleBlock(text, 'update1');
    const order = ['x of train  : [B, 28, 28]', '|> flatten  : [B, 784]', '|> dense(32) {net.block1.dense.{w, b}}  : [B, 32]', '|> dense(10) {net.dense.{w, b}}  : [B, 10]'];
    const at = order.map((s) => b.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((p, q) => p - q)).toEqual(at);
    expect(b).toContain('over train batch 512  : []');
    expect(explainFile('programs/srn/srn_online.xreg')).not.toMatch(/^\s*reshape/m);
  });

  it('population: size, hyper-parameters and the exploit/explore schedule', () => {
    const text = explainFile('programs/noise/pbt.xreg');
    expect(text).toContain('population of 20, hyper-parameters: net.noisy_block1.noise.log_sigma, net.noisy_block2.noise.log_sigma, net.noisy_block3.noise.log_sigma');
    expect(text).toContain('every epoch: exploit truncation(0.25) by highest val_acc, explore perturb(0.8, 1.2)');
    expect(partitionRows(text).some((l) => /^\s+hyper\s+net\.noisy_block1\.noise\.log_sigma/.test(l))).toBe(true);
  });

  it('the command compiles a file from disk and fails with diagnostics on a broken one', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    expect(await explainCommand('programs/crossreg/lasso.xreg', { set: ['unused=1'] }, io)).toBe(0);
    expect(out.join('')).toContain('rule update2  [rho]');
    expect(err.join('\n')).toContain('W0212');
    expect(await explainCommand('programs/does-not-exist.xreg', {}, io)).toBe(1);
  });

  it('parses --set values by type', () => {
    expect(parseOverrides(['a=1', 'b=true', 'c=x'])).toEqual(E.right({ a: 1, b: true, c: 'x' }));
    expect(E.isLeft(parseOverrides(['nope']))).toBe(true);
  });
});
