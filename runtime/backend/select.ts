// Chooses the TensorFlow.js backend a run trains on. Without a request the
// fastest available wins: WebGPU through Dawn when it finds a GPU adapter,
// native TensorFlow on GPU, native TensorFlow on CPU (optional packages, loaded
// only if installed), WebAssembly, plain JS.
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import '../../stdlib/gradients.js';
import { installHint } from './install-hints.js';
import { activateWebgpu, type ModuleLoader, type WebgpuSelected } from './webgpu.js';
import { registerWasmKernels, setKernelThreads } from './wasm-kernels/index.js';
import { wasmThreadsRequested, withWasmThreads } from './wasm-threads.js';

export const BackendRequest = t.keyof({ webgpu: null, 'tensorflow-gpu': null, tensorflow: null, wasm: null, cpu: null });
export type BackendRequest = t.TypeOf<typeof BackendRequest>;

export interface SelectedBackend {
  /** The tfjs backend name now active: 'webgpu', 'tensorflow', 'wasm' or 'cpu'. */
  readonly name: string;
  /** Why it was chosen and how it is configured, for the run to print. */
  readonly detail: string;
}

export type { ModuleLoader };

/** Modules a single-file bundle carries itself (it has no node_modules to import from). */
const bundled = new Map<string, unknown>();

/** For a bundle's entry point: serve these modules instead of importing them by name. */
export const provideModules = (modules: Readonly<Record<string, unknown>>): void => {
  for (const [k, v] of Object.entries(modules)) bundled.set(k, v);
};

// A string-typed specifier keeps tsc from resolving (and demanding types for)
// optional packages that are usually not installed.
const importByName: ModuleLoader = async (specifier: string) => {
  if (bundled.has(specifier)) return bundled.get(specifier);
  const mod: unknown = await import(specifier);
  return mod;
};

const nativePackage = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' } as const;

function reason(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}

async function activate(name: string): Promise<E.Either<string, void>> {
  try {
    // setBackend resolves false (and logs) when the backend's factory fails.
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name ? E.right(undefined) : E.left(`tf.setBackend('${name}') failed`);
  } catch (err) {
    return E.left(`tf.setBackend('${name}') failed: ${reason(err)}`);
  }
}

async function tryNative(kind: 'tensorflow-gpu' | 'tensorflow', load: ModuleLoader): Promise<E.Either<string, SelectedBackend>> {
  const pkg = nativePackage[kind];
  try {
    await load(pkg);
  } catch (err) {
    return E.left(`${pkg} is not loadable (${reason(err)})`);
  }
  if (tf.findBackendFactory('tensorflow') === null) {
    return E.left(`${pkg} loaded but registered no 'tensorflow' backend with xreg's @tensorflow/tfjs-core (duplicate tfjs-core install?)`);
  }
  const active = await activate('tensorflow');
  return E.map(() => ({ name: 'tensorflow', detail: `native TensorFlow via ${pkg}` }))(active);
}

/** The folder holding tfjs-backend-wasm's .wasm binaries on disk (a bundle names its own in XREG_WASM_DIR). */
export function wasmBinaryDir(): string {
  const given = process.env['XREG_WASM_DIR'];
  if (given !== undefined && given !== '') return given.endsWith(path.sep) ? given : given + path.sep;
  const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  return path.dirname(main) + path.sep;
}

async function tryWasm(): Promise<E.Either<string, SelectedBackend>> {
  let dir: string;
  try {
    dir = wasmBinaryDir();
  } catch (err) {
    return E.left(`@tensorflow/tfjs-backend-wasm is not resolvable (${reason(err)})`);
  }
  // Both settings only take effect before the backend's first initialization.
  setWasmPaths(dir);
  // XNNPACK's pool size; tfjs-backend-wasm 4.22 disables threads under Node
  // (tfjs issue 3830) unless our loader starts the threaded binary (wasm-threads.ts).
  setThreadsCount(Math.max(1, availableParallelism()));
  // Registered before activation so that the setup hooks run at initialization.
  const kernels = registerWasmKernels();
  const asked = wasmThreadsRequested();
  if (asked !== undefined && E.isLeft(asked)) return E.left(asked.left);
  let note = '';
  let ours = 1;
  let active: E.Either<string, void>;
  if (asked !== undefined && asked.right > 1) {
    // The threaded binary for its shared heap: our products are split over N threads of ours,
    // XNNPACK's pool stays at one (own-mat-mul.ts says why).
    const threaded = await withWasmThreads(1, () => activate('wasm'));
    if (E.isLeft(threaded)) note = `; XREG_WASM_THREADS: the threaded binary's scripts are missing (${threaded.left})`;
    else ours = asked.right;
    active = E.isLeft(threaded) ? await activate('wasm') : threaded.right;
  } else active = await activate('wasm');
  if (E.isLeft(active)) return E.left(`${active.left} (binaries looked up in ${dir})`);
  setKernelThreads(ours);
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  const library = getThreadsCount();
  const threads = ours > 1 ? `${ours} threads: xreg's products and Adam on ${ours}, XNNPACK's operations on ${library}` : `${library} thread${library === 1 ? '' : 's'}`;
  return E.right({
    name: 'wasm',
    detail: `WebAssembly (XNNPACK${simd ? ', SIMD' : ''}, ${threads}${note}); xreg kernels: ${kernels.join(', ')}`,
  });
}

async function tryWebgpu(load: ModuleLoader): Promise<E.Either<string, SelectedBackend>> {
  const r = await activateWebgpu(load);
  return E.map((w: WebgpuSelected) => ({
    name: 'webgpu',
    detail: `WebGPU through Dawn on ${w.adapter}${w.software ? ' (software rendering, for testing)' : ''}`,
  }))(r);
}

async function tryCpu(): Promise<E.Either<string, SelectedBackend>> {
  const active = await activate('cpu');
  return E.map(() => ({ name: 'cpu', detail: 'plain JavaScript (slowest)' }))(active);
}

function attempt(kind: BackendRequest, load: ModuleLoader): Promise<E.Either<string, SelectedBackend>> {
  switch (kind) {
    case 'webgpu':
      return tryWebgpu(load);
    case 'tensorflow-gpu':
    case 'tensorflow':
      return tryNative(kind, load);
    case 'wasm':
      return tryWasm();
    case 'cpu':
      return tryCpu();
  }
}

const fallbackOrder: readonly BackendRequest[] = ['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/**
 * Activates the requested backend, or without a request the first that loads
 * from webgpu (when Dawn finds an adapter), tensorflow-gpu, tensorflow, wasm, cpu. A request that cannot be met is a
 * Left saying why and how to install what is missing.
 */
export async function selectBackend(
  requested?: BackendRequest,
  load: ModuleLoader = importByName,
  /** A backend the program cannot use, and why (said in the start line when it is passed over). */
  avoid?: { readonly kind: BackendRequest; readonly why: string },
): Promise<E.Either<string, SelectedBackend>> {
  if (requested !== undefined && requested === avoid?.kind) return E.left(`--backend ${requested}: ${avoid.why}; use --backend wasm`);
  if (requested !== undefined) {
    const result = await attempt(requested, load);
    return E.mapLeft((why: string) => `backend '${requested}' is unavailable: ${why}. Install: ${installHint[requested]}`)(result);
  }
  const skipped: string[] = [];
  for (const kind of fallbackOrder) {
    if (kind === avoid?.kind) {
      skipped.push(`${kind}: ${avoid.why}`);
      continue;
    }
    const result = await attempt(kind, load);
    if (E.isRight(result)) {
      const why = skipped.length === 0 ? 'first choice' : `skipped ${skipped.join('; ')}`;
      return E.right({ name: result.right.name, detail: `${result.right.detail} [auto: ${why}]` });
    }
    skipped.push(`${kind}: ${result.left}`);
  }
  return E.left(`no TensorFlow.js backend could be activated: ${skipped.join('; ')}`);
}
