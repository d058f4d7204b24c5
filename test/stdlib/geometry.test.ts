/**
 * Projections and the sphere, checked by their defining properties and against the same formulas
 * in float64 over the concatenated vector.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  jointNorm,
  projectAlong,
  projectOrthogonal,
  retractToSphere,
  tangentProject,
} from '../../stdlib/geometry/index.js';
import { rng } from '../helpers/random.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const SHAPES: readonly number[][] = [[4], [2, 3], []];
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** A partition of random float32 values, and the same numbers as one float64 vector. */
const partition = (r: () => number, scale = 1): { ts: tf.Tensor[]; flat: number[] } => {
  const flat: number[] = [];
  const ts = SHAPES.map((s) => {
    const v = Array.from({ length: size(s) }, () => Math.fround((r() * 2 - 1) * scale));
    flat.push(...v);
    return tf.tensor(v, s);
  });
  return { ts, flat };
};

const flatOf = (ts: readonly tf.Tensor[]): number[] => ts.flatMap((t) => Array.from(t.dataSync()));
const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, x, i) => s + x * (b[i] as number), 0);
const norm = (a: readonly number[]): number => Math.sqrt(dot(a, a));

const expectVecClose = (got: readonly number[], want: readonly number[], tol: number): void => {
  expect(got.length).toBe(want.length);
  const scale = Math.max(norm(want), 1e-30);
  got.forEach((x, i) => {
    const err = Math.abs(x - (want[i] as number)) / scale;
    if (!(err <= tol)) expect.fail(`entry ${i}: got ${x}, want ${want[i]} (error ${err} relative to the norm)`);
  });
};

const TOL = 1e-6;
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

describe('projectAlong / projectOrthogonal', () => {
  it.each(SEEDS)('match u(uᵀg) and g − u(uᵀg) over the concatenation (seed %i)', (seed) => {
    const r = rng(seed);
    const g = partition(r);
    const d = partition(r, 3);
    const u = d.flat.map((x) => x / norm(d.flat));
    const c = dot(u, g.flat);
    const along = projectAlong(g.ts, d.ts);
    const orth = projectOrthogonal(g.ts, d.ts);
    expect(along.map((t) => t.shape)).toEqual(SHAPES);
    expectVecClose(flatOf(along), u.map((x) => x * c), TOL);
    expectVecClose(flatOf(orth), g.flat.map((x, i) => x - (u[i] as number) * c), TOL);
    tf.dispose([...g.ts, ...d.ts, ...along, ...orth]);
  });

  it.each(SEEDS)('along is parallel to d, orthogonal part ⟂ d, and the two sum to g (seed %i)', (seed) => {
    const r = rng(100 + seed);
    const g = partition(r);
    const d = partition(r);
    const a = flatOf(projectAlong(g.ts, d.ts));
    const o = flatOf(projectOrthogonal(g.ts, d.ts));
    // Parallel: Cauchy–Schwarz holds with equality.
    expect(Math.abs(Math.abs(dot(a, d.flat)) - norm(a) * norm(d.flat))).toBeLessThan(TOL * norm(a) * norm(d.flat));
    expect(Math.abs(dot(o, d.flat))).toBeLessThan(TOL * norm(g.flat) * norm(d.flat));
    expectVecClose(a.map((x, i) => x + (o[i] as number)), g.flat, TOL);
    tf.dispose(g.ts.concat(d.ts));
  });

  it('is idempotent, and the two parts annihilate each other', () => {
    const r = rng(42);
    const g = partition(r);
    const d = partition(r);
    const a1 = projectAlong(g.ts, d.ts);
    const a2 = projectAlong(a1, d.ts);
    const o1 = projectOrthogonal(g.ts, d.ts);
    const o2 = projectOrthogonal(o1, d.ts);
    expectVecClose(flatOf(a2), flatOf(a1), TOL);
    expectVecClose(flatOf(o2), flatOf(o1), TOL);
    expect(norm(flatOf(projectAlong(o1, d.ts)))).toBeLessThan(TOL * norm(g.flat));
    expect(norm(flatOf(projectOrthogonal(a1, d.ts)))).toBeLessThan(TOL * norm(g.flat));
  });

  it('is a joint projection, not one per tensor', () => {
    const r = rng(7);
    const g = partition(r);
    const d = partition(r);
    const joint = flatOf(projectAlong(g.ts, d.ts));
    const perTensor = g.ts.flatMap((x, i) => flatOf(projectAlong([x], [d.ts[i] as tf.Tensor])));
    expect(Math.max(...joint.map((x, i) => Math.abs(x - (perTensor[i] as number))))).toBeGreaterThan(1e-3);
  });

  it('zero direction: nothing along it, all of g orthogonal to it', () => {
    const r = rng(9);
    const g = partition(r);
    const zero = SHAPES.map((s) => tf.zeros(s));
    const a = flatOf(projectAlong(g.ts, zero));
    expect(a.every((x) => x === 0)).toBe(true);
    expect(flatOf(projectOrthogonal(g.ts, zero))).toEqual(g.flat);
  });

  it('does not depend on the scale of d, even where ‖d‖² leaves float32 range', () => {
    const r = rng(10);
    const g = partition(r);
    const d = partition(r);
    const want = flatOf(projectAlong(g.ts, d.ts));
    for (const k of [1e-25, 1e-3, 1e20]) {
      const dk = d.ts.map((t) => tf.mul(t, k));
      expectVecClose(flatOf(projectAlong(g.ts, dk)), want, 1e-5);
    }
  });

  it('leaves its inputs unchanged and leaks nothing', () => {
    const r = rng(11);
    const g = partition(r);
    const d = partition(r);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      const out = [...projectAlong(g.ts, d.ts), ...projectOrthogonal(g.ts, d.ts), ...retractToSphere(d.ts), ...tangentProject(d.ts, g.ts)];
      expect(out.some((t) => g.ts.includes(t) || d.ts.includes(t))).toBe(false);
      tf.dispose(out);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(flatOf(g.ts)).toEqual(g.flat);
    expect(flatOf(d.ts)).toEqual(d.flat);
  });

  it('rejects partitions that do not match (a compiler bug, not a user error)', () => {
    expect(() => projectAlong([tf.zeros([2])], [tf.zeros([3])])).toThrow(/shape/);
    expect(() => projectAlong([tf.zeros([2])], [])).toThrow(/internal/);
  });
});

describe('sphere', () => {
  it.each(SEEDS)('retraction has unit joint norm and keeps the direction (seed %i)', (seed) => {
    const r = rng(200 + seed);
    const p = partition(r, 10 ** (seed - 4));
    const q = retractToSphere(p.ts);
    expect(q.map((t) => t.shape)).toEqual(SHAPES);
    expect(Math.abs(norm(flatOf(q)) - 1)).toBeLessThan(TOL);
    expect(Math.abs(jointNorm(q).arraySync() - 1)).toBeLessThan(TOL);
    expectVecClose(flatOf(q), p.flat.map((x) => x / norm(p.flat)), TOL);
  });

  it('retraction of a point on the sphere is itself; of zero is zero; of a tiny vector is a unit vector', () => {
    const r = rng(300);
    const p = partition(r);
    const q = retractToSphere(p.ts);
    expectVecClose(flatOf(retractToSphere(q)), flatOf(q), TOL);
    expect(flatOf(retractToSphere(SHAPES.map((s) => tf.zeros(s)))).every((x) => x === 0)).toBe(true);
    const tiny = retractToSphere(p.ts.map((t) => tf.mul(t, 1e-30)));
    expect(Math.abs(norm(flatOf(tiny)) - 1)).toBeLessThan(TOL);
  });

  it.each(SEEDS)('tangent projection is orthogonal to p and equals g − p(pᵀg)/‖p‖² (seed %i)', (seed) => {
    const r = rng(400 + seed);
    const p = partition(r, 2);
    const g = partition(r);
    const tg = flatOf(tangentProject(p.ts, g.ts));
    expect(Math.abs(dot(tg, p.flat))).toBeLessThan(TOL * norm(g.flat) * norm(p.flat));
    const c = dot(p.flat, g.flat) / dot(p.flat, p.flat);
    expectVecClose(tg, g.flat.map((x, i) => x - (p.flat[i] as number) * c), TOL);
  });

  it('a tangent step followed by retraction stays on the sphere, to first order in the step', () => {
    const r = rng(500);
    const p = retractToSphere(partition(r).ts);
    const g = partition(r).ts;
    const tg = tangentProject(p, g);
    const eta = 1e-2;
    const moved = p.map((x, i) => tf.sub(x, tf.mul(tg[i] as tf.Tensor, eta)));
    // Tangent steps leave the sphere only at second order: ‖p − ηg_T‖² = 1 + η²‖g_T‖².
    const gt2 = dot(flatOf(tg), flatOf(tg));
    expect(Math.abs(norm(flatOf(moved)) ** 2 - (1 + eta * eta * gt2))).toBeLessThan(1e-5);
    expect(Math.abs(norm(flatOf(retractToSphere(moved))) - 1)).toBeLessThan(TOL);
  });
});
