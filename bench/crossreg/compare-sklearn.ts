/**
 * Our float64 ridge and LASSO paths against scikit-learn's on the programs' own splits:
 *   npx tsx bench/crossreg/compare-sklearn.ts   (needs Debian's python3-sklearn: apt-get install -y python3-sklearn; PYTHON overrides /usr/bin/python3)
 * Writes bench/crossreg/out/splits.json (the splits as the runtime's loaders cut them), runs
 * sklearn_paths.py on it, prints the largest coefficient and MSE differences and both best λ.
 */
import * as E from 'fp-ts/lib/Either.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as t from 'io-ts';
import { lassoPath, logspace, ridgePath, type Path, type Problem } from '../../stdlib/baselines/index.js';
import { LASSO_SCALE } from './settings.js';
import { need, requireSplits } from './splits.js';

const here = path.dirname(new URL(import.meta.url).pathname);
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });

const SkPath = t.type({ coefs: t.array(t.array(t.number)), regMse: t.array(t.number), best: t.number });
const SkOut = t.record(t.string, SkPath);

const asJson = (p: Problem): object => ({ n: p.n, d: p.d, x: Array.from(p.x), y: Array.from(p.y) });

const main = async (): Promise<void> => {
  const rs = await requireSplits('programs/crossreg/ridge_path.xreg');
  const ls = await requireSplits('programs/crossreg/lasso_path.xreg');
  const r = { train: need(rs, 'train'), reg: need(rs, 'reg') };
  const l = { train: need(ls, 'train'), reg: need(ls, 'reg') };
  const ridgeLams = logspace(-3, 1, 1000);
  const lassoLams = logspace(-2.5, 0, 50).map((v) => v * LASSO_SCALE);
  const spec = {
    ridge: { kind: 'ridge', lams: ridgeLams, train: asJson(r.train), reg: asJson(r.reg) },
    lasso: { kind: 'lasso', lams: lassoLams, train: asJson(l.train), reg: asJson(l.reg) },
  };
  const specFile = path.join(out, 'splits.json');
  const skFile = path.join(out, 'sklearn.json');
  writeFileSync(specFile, JSON.stringify(spec));
  execFileSync(process.env['PYTHON'] ?? '/usr/bin/python3', [path.join(here, 'sklearn_paths.py'), specFile, skFile], { stdio: 'inherit' });
  const sk = SkOut.decode(JSON.parse(readFileSync(skFile, 'utf8')));
  if (E.isLeft(sk)) throw new Error('sklearn.json does not decode');
  const ours: Record<string, Path> = {
    ridge: ridgePath(r.train, r.reg, ridgeLams),
    lasso: lassoPath(l.train, l.reg, lassoLams),
  };
  for (const [name, p] of Object.entries(ours)) {
    const s = sk.right[name];
    if (s === undefined) continue;
    let coef = 0;
    let scale = 0;
    let mseGap = 0;
    p.points.forEach((q, i) => {
      const c = s.coefs[i] ?? [];
      q.w.forEach((v, j) => {
        coef = Math.max(coef, Math.abs(v - (c[j] ?? 0)));
        scale = Math.max(scale, Math.abs(v));
      });
      mseGap = Math.max(mseGap, Math.abs(q.regMse - (s.regMse[i] ?? 0)) / q.regMse);
    });
    const ob = p.points[p.best];
    console.log(
      `${name}: ${p.points.length} λ; max |Δcoef| ${coef.toExponential(2)} (max |coef| ${scale.toFixed(3)}); ` +
        `max rel Δ reg-MSE ${mseGap.toExponential(2)}; best λ ours ${ob?.lam.toPrecision(6)} (#${p.best}), sklearn ${(name === 'ridge' ? ridgeLams : lassoLams)[s.best]?.toPrecision(6)} (#${s.best})`,
    );
  }
};

void main();
