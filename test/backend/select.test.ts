import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { BackendRequest, selectBackend } from '../../runtime/backend/select.js';
import { rememberBackend } from './helpers.js';

const restoreBackend = rememberBackend();
afterAll(restoreBackend);

describe('selectBackend', () => {
  it('falls through the missing native packages to wasm by default, saying why', async () => {
    const selected = await selectBackend();
    expect(E.isRight(selected)).toBe(true);
    if (E.isLeft(selected)) return;
    expect(selected.right.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(selected.right.detail).toContain('@tensorflow/tfjs-node-gpu');
    expect(selected.right.detail).toContain('@tensorflow/tfjs-node ');
    expect(selected.right.detail).toContain('UnsortedSegmentSum');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('uses cpu when forced', async () => {
    const selected = await selectBackend('cpu');
    expect(selected).toEqual(E.right({ name: 'cpu', detail: expect.any(String) }));
    expect(tf.getBackend()).toBe('cpu');
  });

  it('refuses a forced tensorflow backend that is not installed, with an install command', async () => {
    for (const kind of ['tensorflow', 'tensorflow-gpu'] as const) {
      const selected = await selectBackend(kind);
      expect(E.isLeft(selected)).toBe(true);
      if (E.isRight(selected)) return;
      const pkg = kind === 'tensorflow' ? '@tensorflow/tfjs-node@' : '@tensorflow/tfjs-node-gpu@';
      expect(selected.left).toContain(`npm install ${pkg}`);
      expect(selected.left).toContain('libtensorflow');
    }
    // A failed request leaves the previously active backend in place.
    expect(tf.getBackend()).toBe('cpu');
  });

  it('reports a native package that loads but registers no backend', async () => {
    const loaded: string[] = [];
    const selected = await selectBackend('tensorflow', async (name) => {
      loaded.push(name);
      return {};
    });
    expect(loaded).toEqual(['@tensorflow/tfjs-node']);
    expect(E.isLeft(selected) && selected.left.includes("registered no 'tensorflow' backend")).toBe(true);
  });

  it('tries the packages in order when none loads', async () => {
    const tried: string[] = [];
    const selected = await selectBackend(undefined, async (name) => {
      tried.push(name);
      throw new Error(`no ${name}`);
    });
    expect(tried).toEqual(['webgpu', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    expect(E.isRight(selected) && selected.right.name).toBe('wasm');
  });

  it('decodes backend requests from outside', () => {
    expect(E.isRight(BackendRequest.decode('wasm'))).toBe(true);
    expect(E.isLeft(BackendRequest.decode('webgl'))).toBe(true);
  });
});
