/**
 * Gradient registration lives in the standard library (stdlib/gradients.ts), so the compiler never
 * reaches into the runtime for it: loading that module alone makes tf.grad work, and no file of
 * the compiler, the standard library or the DSL imports from runtime/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { gradientsRegistered } from '../../stdlib/gradients.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });

describe('gradient registration in stdlib/gradients.ts', () => {
  it('makes tf.grad of a sum of squares work (2x), with nothing else imported', () => {
    expect(gradientsRegistered).toBe(true);
    const g = tf.tidy(() => Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.square(x)))(tf.tensor([1, -2, 0.5])).dataSync()));
    expect(g).toEqual([2, -4, 1]);
  });

  it('no compiler, stdlib or dsl source imports from runtime/', () => {
    const offenders = ['compiler', 'stdlib', 'dsl'].flatMap(sources).filter((f) =>
      /(?:from\s+|import\s+)'(?:\.\.\/)+runtime\//.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
