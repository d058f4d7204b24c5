/**
 * The webgpu backend's selection without depending on this machine's GPU: Dawn is faked where an
 * adapter must be present or absent. (The real kernels run in bench/gpu/kernel-check.ts, here on
 * Mesa's software OpenGL ES and on a lent GPU.)
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../runtime/backend/select.js';
import { activateWebgpu, adapterName, dawnRequest, type LoaderProbe, vulkanLoaderPresent } from '../../runtime/backend/webgpu.js';
import { readBack } from '../../runtime/checkpoint/read-back.js';
import { rememberBackend } from './helpers.js';

const restoreBackend = rememberBackend();
afterAll(restoreBackend);

/** A loader whose `webgpu` package finds no adapter; everything else imports for real. */
const noAdapter = (asked: unknown[]) => async (name: string): Promise<unknown> => {
  if (name === 'webgpu') {
    return {
      create: (flags: string[]) => ({
        requestAdapter: async (options: unknown) => {
          asked.push({ flags, options });
          return null;
        },
      }),
      globals: {},
    };
  }
  if (name === '@tensorflow/tfjs-backend-webgpu') return { WebGPUBackend: class {} };
  throw new Error(`Cannot find package '${name}'`);
};

describe('webgpu backend selection', () => {
  it('names the adapter by device, then vendor, architecture and driver', () => {
    expect(adapterName({ vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H100 80GB HBM3', description: 'NVIDIA: 580.159.04' })).toBe(
      'NVIDIA H100 80GB HBM3 (nvidia, hopper, NVIDIA: 580.159.04)',
    );
    expect(adapterName({ vendor: '', architecture: '', device: '', description: 'llvmpipe' })).toBe('llvmpipe');
    expect(adapterName(undefined)).toBe('unnamed adapter');
  });

  it('asks Dawn for its default (Vulkan) adapter unless software is requested', () => {
    expect(dawnRequest({})).toEqual({ flags: [], adapter: { powerPreference: 'high-performance' }, software: false });
    const sw = dawnRequest({ XREG_WEBGPU: 'software' });
    expect(sw.flags).toEqual(['backend=opengles']);
    expect(sw.adapter['featureLevel']).toBe('compatibility');
  });

  it('says in one line that Dawn found no adapter, or that there is no Vulkan loader to ask', async () => {
    const asked: unknown[] = [];
    const present: LoaderProbe = { platform: 'linux', env: {}, read: () => Buffer.from('..libvulkan.so.1..'), exists: () => false };
    expect(await activateWebgpu(noAdapter(asked), {}, present)).toEqual(E.left('no WebGPU adapter: Dawn found no GPU with a usable Vulkan driver'));
    expect(asked).toHaveLength(1);
    const absent: LoaderProbe = { ...present, read: () => Buffer.from('libc.so.6') };
    const r = await activateWebgpu(noAdapter(asked), {}, absent);
    expect(r).toEqual(E.left('no WebGPU adapter: this machine has no Vulkan loader (libvulkan.so.1), so Dawn can find no GPU'));
    expect(asked).toHaveLength(1);
  });

  it('looks for the Vulkan loader where the dynamic linker does', () => {
    const none: LoaderProbe = { platform: 'linux', env: {}, read: () => undefined, exists: () => false };
    expect(vulkanLoaderPresent(none)).toBe(false);
    expect(vulkanLoaderPresent({ ...none, env: { LD_LIBRARY_PATH: '/opt/vk/lib:' }, exists: (f) => f === '/opt/vk/lib/libvulkan.so.1' })).toBe(true);
    expect(vulkanLoaderPresent({ ...none, read: (f) => (f === '/etc/ld.so.cache' ? Buffer.from('\0libvulkan.so.1\0') : undefined) })).toBe(true);
    expect(vulkanLoaderPresent({ ...none, exists: (f) => f === '/usr/lib64/libvulkan.so.1' })).toBe(true);
    expect(vulkanLoaderPresent({ ...none, platform: 'darwin' })).toBe(true);
  });

  it('refuses a forced webgpu backend without an adapter in one line, with what to install', async () => {
    await selectBackend('cpu');
    const r = await selectBackend('webgpu', noAdapter([]));
    expect(E.isLeft(r)).toBe(true);
    if (E.isRight(r)) return;
    expect(r.left).toMatch(/^backend 'webgpu' is unavailable: no WebGPU adapter: /);
    expect(r.left).toContain('npm install webgpu@');
    expect(r.left.includes('\n')).toBe(false);
    expect(tf.getBackend()).toBe('cpu');
  });

  it('tries webgpu first and falls through when no adapter is found, saying so', async () => {
    const r = await selectBackend(undefined, noAdapter([]));
    expect(E.isRight(r)).toBe(true);
    if (E.isLeft(r)) return;
    expect(r.right.name).toBe('wasm');
    expect(r.right.detail).toMatch(/skipped webgpu: no WebGPU adapter[^;]*; tensorflow-gpu:/);
  });

  it('says when the webgpu package is missing', async () => {
    const r = await selectBackend('webgpu', async (name) => {
      throw new Error(`Cannot find package '${name}'`);
    });
    expect(E.isLeft(r) && r.left).toContain("the webgpu package (Dawn for Node) is not loadable (Cannot find package 'webgpu')");
  });

  it('reads back every tensor inside a snapshot-like value', async () => {
    await selectBackend('cpu');
    const a = tf.tensor([1, 2]);
    const b = tf.scalar(3);
    const seen: tf.Tensor[] = [];
    const spy = (t: tf.Tensor): tf.Tensor => {
      const data = t.data.bind(t);
      t.data = (async () => {
        seen.push(t);
        return data();
      }) as typeof t.data;
      return t;
    };
    await readBack({ members: [{ params: { w: spy(a) }, cursors: { d: [1, 2] }, helpers: { h: { m: spy(b) } } }], labels: new Float32Array(3) });
    expect(new Set(seen)).toEqual(new Set([a, b]));
    a.dispose();
    b.dispose();
  });
});
