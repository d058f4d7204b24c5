import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plotCommand, registerPlot } from '../../cli/commands/plot.js';
import { axes, countItems, ruleYs, xmlProblem } from './svg.js';

let root = '';
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'xreg-plot-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
};

const writeRun = async (name: string, files: Record<string, string>): Promise<string> => {
  const dir = path.join(root, name);
  await fs.mkdir(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) await fs.writeFile(path.join(dir, f), text);
  return dir;
};

const jsonl = (rows: readonly object[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

const singleRun = () => {
  const rows = Array.from({ length: 31 }, (_, i) => {
    const s = i * 200;
    return { step: s, epoch: Math.floor(s / 100), fit: 3 * Math.exp(-s / 700) + 0.01, gen: 3 * Math.exp(-s / 900) + 0.2, rho: 1 + 2.4 * (1 - Math.exp(-s / 1000)), acc: i === 3 ? null : 0.9 - 0.5 * Math.exp(-s / 500) };
  });
  return {
    'metrics.jsonl': jsonl(rows),
    'manifest.json': JSON.stringify({
      program: { path: 'programs/crossreg/ridge.xreg', sha256: 'abc' },
      seed: 0,
      losses: ['fit', 'gen'],
      figures: [
        { name: 'norm', kind: 'lines', series: ['rho'] },
        { name: 'trade', kind: 'scatter', series: ['rho', 'gen'] },
        { name: 'calibration', kind: 'reliability', series: [] },
        { name: 'ghost', kind: 'lines', series: ['never_logged'] },
      ],
    }),
    'references.json': JSON.stringify([{ series: 'rho', value: 3.2, label: 'best ridge norm' }]),
    'path.json': JSON.stringify({
      norm: 'l2',
      points: [0.01, 0.1, 1, 10].map((lambda) => ({ lambda, norm: 4 / (1 + lambda), reg_loss: 0.3 + (4 / (1 + lambda) - 3) ** 2 })),
      markers: [{ norm: 3.1, reg_loss: 0.32, label: 'cross-regularization' }],
    }),
    'reliability.json': JSON.stringify({ bins: [0.1, 0.3, 0.5, 0.7, 0.9].map((c) => ({ confidence: c, accuracy: c * 0.9, count: 100 })) }),
    'spline.json': JSON.stringify({ data: [{ x: 0, y: 0 }, { x: 0.5, y: 1, split: 'train' }], curves: [{ name: 'fitted', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }] }),
    'coefficients.json': JSON.stringify({ title: 'w', series: [{ name: 'cross-regularization', values: [1, -1, 0] }, { name: 'best ridge', values: [0.9, -1.1, 0.1] }] }),
  };
};

describe('xreg plot', () => {
  it('writes one SVG per chart and an index embedding them all, and lists the files', async () => {
    const dir = await writeRun('single', singleRun());
    const c = capture();
    expect(await plotCommand(dir, {}, c.io)).toBe(0);
    const figs = path.join(dir, 'figures');
    const expected = ['losses.svg', 'metric-rho.svg', 'metric-acc.svg', 'figure-norm.svg', 'figure-trade.svg', 'figure-calibration.svg', 'path.svg', 'spline.svg', 'coefficients.svg'];
    expect(c.out).toEqual([...expected, 'index.html'].map((f) => path.join(figs, f)));
    expect((await fs.readdir(figs)).sort()).toEqual([...expected, 'index.html'].sort());
    // The declared figure that names nothing logged is reported, not drawn.
    expect(c.err).toEqual(['note: figure ghost: none of never_logged was logged']);
    const svgs = await Promise.all(expected.map((f) => fs.readFile(path.join(figs, f), 'utf8')));
    for (const s of svgs) expect(xmlProblem(s)).toBeUndefined();
    const index = await fs.readFile(path.join(figs, 'index.html'), 'utf8');
    expect(index.split('<svg ').length - 1).toBe(expected.length);
    expect(index).toContain('programs/crossreg/ridge.xreg');
    expect(index).toContain('figure ghost');
  });

  it('groups the listed losses in one chart on a log axis and draws references on their series', async () => {
    const dir = await writeRun('single2', singleRun());
    expect(await plotCommand(dir, {}, capture().io)).toBe(0);
    const losses = await fs.readFile(path.join(dir, 'figures', 'losses.svg'), 'utf8');
    expect(countItems(losses, 'line mark')).toBe(2);
    for (const t of axes(losses).y?.ticks ?? []) expect(Math.log10(Number(t.label)) % 1).toBeCloseTo(0, 12);
    const rho = await fs.readFile(path.join(dir, 'figures', 'figure-norm.svg'), 'utf8');
    expect(ruleYs(rho)).toHaveLength(1);
    const acc = await fs.readFile(path.join(dir, 'figures', 'metric-acc.svg'), 'utf8');
    expect(ruleYs(acc)).toHaveLength(0);
  });

  it('writes elsewhere with --out', async () => {
    const dir = await writeRun('outdir', { 'metrics.jsonl': jsonl([{ step: 0, epoch: 0, loss: 1 }, { step: 1, epoch: 0, loss: 0.5 }]) });
    const out = path.join(root, 'elsewhere');
    const c = capture();
    expect(await plotCommand(dir, { out }, c.io)).toBe(0);
    expect(c.out).toEqual([path.join(out, 'metric-loss.svg'), path.join(out, 'index.html')]);
    await expect(fs.stat(path.join(dir, 'figures'))).rejects.toThrow();
  });

  it('draws per-member lines and a sweep path from member rows', async () => {
    const rows = Array.from({ length: 5 }, (_, m) => [0, 50, 100].map((s) => ({ step: s, epoch: 0, member: m, gen: 1 / (1 + m) + 1 / (1 + s), norm_w: m }))).flat();
    const dir = await writeRun('sweep', {
      'metrics.jsonl': jsonl(rows),
      'manifest.json': JSON.stringify({ selected: 2, figures: [{ name: 'path', kind: 'scatter', series: ['norm_w', 'gen'] }] }),
    });
    expect(await plotCommand(dir, {}, capture().io)).toBe(0);
    const gen = await fs.readFile(path.join(dir, 'figures', 'metric-gen.svg'), 'utf8');
    expect(countItems(gen, 'line mark')).toBe(5 + 1 + 1);
    const p = await fs.readFile(path.join(dir, 'figures', 'figure-path.svg'), 'utf8');
    expect(countItems(p, 'point')).toBe(5 + 1);
    expect(p).toContain('selected: member 2');
  });

  it('reports a malformed metrics line by its number, without a stack trace', async () => {
    const dir = await writeRun('badjson', { 'metrics.jsonl': '{"step":0,"epoch":0,"loss":1}\n\n{"step":1,"epoch":0,"loss":\n' });
    const c = capture();
    expect(await plotCommand(dir, {}, c.io)).toBe(1);
    expect(c.err).toHaveLength(1);
    expect(c.err[0]).toMatch(/^xreg plot: metrics\.jsonl:3: not valid JSON/);
    expect(c.err[0]).not.toMatch(/\n\s+at /);
    expect(c.out).toEqual([]);
  });

  it('names the line and the field of a metrics value of the wrong type', async () => {
    const dir = await writeRun('badvalue', { 'metrics.jsonl': jsonl([{ step: 0, epoch: 0, loss: 1 }, { step: 1, epoch: 0, loss: 'low' }]) });
    const c = capture();
    expect(await plotCommand(dir, {}, c.io)).toBe(1);
    expect(c.err[0]).toContain('metrics.jsonl:2: loss: expected number, "NaN", "Infinity", "-Infinity" or null, got "low"');
  });

  it('names the file and the place of a bad field in an extra data file', async () => {
    const dir = await writeRun('badpath', {
      'metrics.jsonl': jsonl([{ step: 0, epoch: 0, loss: 1 }]),
      'path.json': JSON.stringify({ points: [{ lambda: 1, norm: 1, reg_loss: 1 }, { lambda: 2, norm: 'x', reg_loss: 1 }] }),
    });
    const c = capture();
    expect(await plotCommand(dir, {}, c.io)).toBe(1);
    expect(c.err[0]).toBe('xreg plot: path.json: points[1].norm: expected number, got "x"');
  });

  it('says so when the directory is not a run directory', async () => {
    const dir = await writeRun('empty', {});
    const c = capture();
    expect(await plotCommand(dir, {}, c.io)).toBe(1);
    expect(c.err[0]).toContain('metrics.jsonl not found');
    const c2 = capture();
    expect(await plotCommand(path.join(root, 'nope'), {}, c2.io)).toBe(1);
    expect(c2.err[0]).toContain('not a directory');
  });

  it('registers `plot DIR --out DIR2` on a commander program', async () => {
    const program = new Command();
    registerPlot(program);
    const cmd = program.commands.find((c) => c.name() === 'plot');
    expect(cmd).toBeDefined();
    expect(cmd?.options.map((o) => o.long)).toEqual(['--out']);
    expect(cmd?.registeredArguments.map((a) => a.name())).toEqual(['dir']);
  });
});
