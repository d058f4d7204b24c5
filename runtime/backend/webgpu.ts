// WebGPU through Dawn: the `webgpu` package (Dawn built for Node, a prebuilt
// dawn.node per platform) gives Node a `navigator.gpu`; tfjs-backend-webgpu
// runs on it. We register the backend ourselves because the package registers
// it only if `navigator.gpu` already existed when it was first imported, and
// we want the adapter we found (and named) to be the one it runs on.
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** Loads a module by name (injectable: tests fake packages, the GPU bundle serves its own copies). */
export type ModuleLoader = (specifier: string) => Promise<unknown>;

interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
}

interface AdapterLike {
  readonly info?: AdapterInfoLike;
  readonly features: { has(name: string): boolean };
  readonly limits: Readonly<Record<string, number>>;
  requestDevice(descriptor: object): Promise<unknown>;
}

interface GpuLike {
  requestAdapter(options?: object): Promise<AdapterLike | null>;
}

interface DawnModule {
  create(flags: string[]): GpuLike;
  readonly globals: Readonly<Record<string, unknown>>;
}

type BackendClass = new (device: unknown, adapterInfo?: unknown) => tf.KernelBackend;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

const asDawn = (m: unknown): DawnModule | undefined =>
  isObject(m) && typeof m['create'] === 'function' && isObject(m['globals']) ? (m as unknown as DawnModule) : undefined;

const asBackendClass = (m: unknown): BackendClass | undefined =>
  isObject(m) && typeof m['WebGPUBackend'] === 'function' ? (m['WebGPUBackend'] as BackendClass) : undefined;

/**
 * How Dawn is asked for an adapter. `XREG_WEBGPU=software` takes Dawn's OpenGL ES backend in
 * WebGPU's compatibility mode, which Mesa's llvmpipe serves on a machine without a GPU: slow, but
 * it runs the real WebGPU kernels (what the tests use). Otherwise Dawn's defaults (Vulkan on Linux).
 */
export interface DawnRequest {
  readonly flags: readonly string[];
  readonly adapter: Readonly<Record<string, string>>;
  readonly software: boolean;
}

export const dawnRequest = (env: NodeJS.ProcessEnv): DawnRequest =>
  env['XREG_WEBGPU'] === 'software'
    ? { flags: ['backend=opengles'], adapter: { featureLevel: 'compatibility', powerPreference: 'high-performance' }, software: true }
    : { flags: [], adapter: { powerPreference: 'high-performance' }, software: false };

/** The adapter in a few words: its device name, then vendor, architecture and driver. */
export const adapterName = (info: AdapterInfoLike | undefined): string => {
  const given = (s: string | undefined): s is string => s !== undefined && s.trim() !== '';
  const main = [info?.device, info?.description].find(given)?.trim() ?? 'unnamed adapter';
  const extra = [info?.vendor, info?.architecture, info?.description].filter((s): s is string => given(s) && !main.includes(s.trim()));
  return extra.length === 0 ? main : `${main} (${extra.map((s) => s.trim()).join(', ')})`;
};

const firstLine = (err: unknown): string => {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
};

// Only the limits tfjs-backend-webgpu itself raises to the adapter's maxima.
const raisedLimits = [
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
] as const;

/**
 * Dawn's GPU cannot be read synchronously in Node (tfjs-backend-webgpu reads through an
 * OffscreenCanvas, which Node lacks). Values already read asynchronously are cached on the CPU
 * and still served; any other synchronous read fails with one line saying why.
 */
const guardSyncReads = (backend: tf.KernelBackend): void => {
  const original = backend.readSync.bind(backend);
  // Its "synchronous reads are slow" warning would precede our error: the error says more.
  Object.assign(backend, { hasReadSyncWarned: true });
  Object.assign(backend, {
    readSync: (dataId: object): tf.backend_util.BackendValues => {
      try {
        return original(dataId);
      } catch (err) {
        throw new Error(
          `a value was read synchronously from the GPU, which the webgpu backend cannot do under Node (${firstLine(err)}); ` +
            'this program needs a backend with synchronous reads (--backend wasm)',
        );
      }
    },
  });
};

/**
 * What tfjs-backend-webgpu expects of a browser: `navigator.gpu` (its constructor checks it) and
 * the buffer-usage constants (GPUBufferUsage, GPUMapMode, ...) as globals. Node 21+ has a
 * `navigator` of its own, kept with `gpu` added.
 */
const installGlobals = (dawn: DawnModule, gpu: GpuLike): void => {
  for (const [k, v] of Object.entries(dawn.globals)) if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  const existing: unknown = Reflect.get(globalThis, 'navigator');
  const navigator = isObject(existing) ? Object.assign(Object.create(existing) as object, { gpu }) : { gpu };
  Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true, writable: true });
};

/** What the Vulkan-loader check reads: file contents and existence (injectable for tests). */
export interface LoaderProbe {
  readonly platform: NodeJS.Platform;
  readonly env: NodeJS.ProcessEnv;
  readonly read: (file: string) => Buffer | undefined;
  readonly exists: (file: string) => boolean;
}

const VULKAN = 'libvulkan.so.1';

const realProbe: LoaderProbe = {
  platform: process.platform,
  env: process.env,
  read: (file) => {
    try {
      return readFileSync(file);
    } catch {
      return undefined;
    }
  },
  exists: existsSync,
};

/**
 * Whether dlopen would find Vulkan's loader, searched where the dynamic linker searches (the
 * LD_LIBRARY_PATH folders, /etc/ld.so.cache, the default folders). Without it Dawn prints its own
 * multi-line warning and finds nothing: one line of ours says it instead. Other systems: true
 * (Dawn uses Metal or D3D there).
 */
export const vulkanLoaderPresent = (probe: LoaderProbe = realProbe): boolean => {
  if (probe.platform !== 'linux') return true;
  const dirs = [...(probe.env['LD_LIBRARY_PATH'] ?? '').split(':').filter((d) => d !== ''), '/lib', '/usr/lib', '/lib64', '/usr/lib64'];
  if (dirs.some((d) => probe.exists(path.join(d, VULKAN)))) return true;
  return probe.read('/etc/ld.so.cache')?.includes(VULKAN) ?? false;
};

export interface WebgpuSelected {
  readonly adapter: string;
  readonly software: boolean;
}

/**
 * Finds a WebGPU adapter through Dawn and activates tfjs-backend-webgpu on it. Left: one line
 * saying what was missing (the package, an adapter, the device).
 */
export async function activateWebgpu(load: ModuleLoader, env: NodeJS.ProcessEnv = process.env, probe: LoaderProbe = realProbe): Promise<E.Either<string, WebgpuSelected>> {
  let dawn: DawnModule | undefined;
  try {
    dawn = asDawn(await load('webgpu'));
  } catch (err) {
    return E.left(`the webgpu package (Dawn for Node) is not loadable (${firstLine(err)})`);
  }
  if (dawn === undefined) return E.left('the webgpu package loaded but has no create() (an unexpected version?)');
  const request = dawnRequest(env);
  if (!request.software && !vulkanLoaderPresent({ ...probe, env })) {
    return E.left(`no WebGPU adapter: this machine has no Vulkan loader (${VULKAN}), so Dawn can find no GPU`);
  }
  // Mesa's EGL must not look for a display server in the software path.
  if (request.software && env['EGL_PLATFORM'] === undefined) process.env['EGL_PLATFORM'] = 'surfaceless';
  let adapter: AdapterLike | null;
  const gpu = dawn.create([...request.flags]);
  try {
    adapter = await gpu.requestAdapter(request.adapter);
  } catch (err) {
    return E.left(`Dawn failed while looking for a GPU adapter (${firstLine(err)})`);
  }
  if (adapter === null) {
    return E.left(
      request.software
        ? 'no WebGPU adapter: Dawn found no OpenGL ES driver through EGL (XREG_WEBGPU=software needs Mesa\'s llvmpipe)'
        : 'no WebGPU adapter: Dawn found no GPU with a usable Vulkan driver',
    );
  }
  const found = adapter;
  // Loaded only now: without an adapter the automatic choice should cost as little as it can.
  let backendClass: BackendClass | undefined;
  try {
    backendClass = asBackendClass(await load('@tensorflow/tfjs-backend-webgpu'));
  } catch (err) {
    return E.left(`@tensorflow/tfjs-backend-webgpu is not loadable (${firstLine(err)})`);
  }
  if (backendClass === undefined) return E.left('@tensorflow/tfjs-backend-webgpu loaded but exports no WebGPUBackend');
  installGlobals(dawn, gpu);
  const name = adapterName(found.info);
  const make = backendClass;
  if (tf.findBackendFactory('webgpu') !== null) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', async () => {
    const requiredFeatures = found.features.has('timestamp-query') ? ['timestamp-query'] : [];
    const requiredLimits = Object.fromEntries(raisedLimits.map((k) => [k, found.limits[k]]));
    const device = await found.requestDevice({ requiredFeatures, requiredLimits });
    const backend = new make(device, found.info);
    guardSyncReads(backend);
    return backend;
  });
  try {
    const ok = await tf.setBackend('webgpu');
    await tf.ready();
    if (!ok || tf.getBackend() !== 'webgpu') return E.left(`found ${name}, but tfjs-backend-webgpu could not start on it`);
  } catch (err) {
    return E.left(`found ${name}, but tfjs-backend-webgpu could not start on it (${firstLine(err)})`);
  }
  return E.right({ adapter: name, software: request.software });
}
