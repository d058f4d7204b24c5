// Every program's step on a target backend (webgpu by default) against a reference backend, and
// the kernels those steps run checked against the target's registered kernels.
//
//   npx tsx bench/gpu/kernel-check.ts [--target webgpu] [--only SUBSTRING] [--tol 1e-3] [--kernels-only]
//
// Reference: tfjs-cpu (an independent implementation of every kernel); for the programs that
// differentiate through convolutions or resampling, wasm with our kernels (tfjs-cpu takes minutes per
// step there; test/backend checks those wasm kernels against tfjs-cpu). Each program is lowered at
// its sweep's first value, initialized from seed 3 and steps every rule once on a batch of 2
// synthetic examples. Programs that compute on the CPU mid-step (runtime/backend/host-reads.ts)
// are listed, not run: xreg run takes them to wasm. Pass: every parameter after every rule within `tol` relative error
// (‖target − ref‖ / max(‖ref‖, 1e-6)); float32 with another reduction order stays far below 1e-3.
// --kernels-only needs no adapter: it records the kernels on the reference and lists the ones the
// target has none of (gradients are the backend-independent tfjs ones, so a missing backward
// kernel shows here too). With tfjs-backend-webgpu 4.22 that list is empty for every program.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgpu';
import * as E from 'fp-ts/lib/Either.js';
import type { IRProgram } from '../../compiler/ir.js';
import { releaseOld, disposeState } from '../../compiler/lower/release.js';
import type { LoweredProgram, RunState } from '../../compiler/lower/types.js';
import { stepHostReads } from '../../runtime/backend/host-reads.js';
import { BackendRequest, selectBackend } from '../../runtime/backend/select.js';
import { compileFile, isHeavy, lowerFirst, programs, syntheticBatches } from '../../test/compiler/program-fixtures.js';
import { flag, numberOption, stringOption } from './options.js';

type Params = ReadonlyMap<string, Float32Array>;

interface Stepped {
  /** Parameters after each rule, in order. */
  readonly after: readonly Params[];
  readonly kernels: ReadonlySet<string>;
}

const use = async (b: BackendRequest): Promise<string> => {
  const r = await selectBackend(b);
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right.detail;
};

/** Steps every rule once from seed 3, reading the targets back asynchronously after each rule. */
const stepAll = async (lw: LoweredProgram, record: boolean): Promise<Stepped> => {
  const batches = syntheticBatches(lw.ir);
  const kernels = new Set<string>();
  const after: Params[] = [];
  let s: RunState = lw.init(3);
  try {
    const rules = [...lw.rules, ...lw.phases.flatMap((p) => p.rules)];
    for (const [k, r] of rules.entries()) {
      let next: RunState = s;
      if (record) {
        const info = await tf.profile(() => {
          next = r.step(s, batches, 100 + k);
          return [];
        });
        // tf.profile also lists op and custom-gradient scopes ('forward', 'logSoftmax__op'): only
        // names that are kernels of the reference backend are kernels.
        const backend = tf.getBackend();
        // Our own kernels (Xreg…, e.g. stdlib/optimizers/adam-fused.ts) are cpu/wasm shortcuts with
        // an op path elsewhere: not a kernel webgpu must have.
        for (const name of info.kernelNames) if (tf.getKernel(name, backend) !== undefined && !name.startsWith('Xreg')) kernels.add(name);
      } else {
        next = r.step(s, batches, 100 + k);
      }
      const params = new Map<string, Float32Array>();
      for (const p of r.ir.targets) params.set(`${r.name}: ${p}`, Float32Array.from(await (next.params[p] as tf.Tensor).data()));
      after.push(params);
      releaseOld(s, next);
      s = next;
    }
  } finally {
    disposeState(s);
    for (const b of Object.values(batches)) for (const t of Object.values(b)) t.dispose();
  }
  return { after, kernels };
};

const relError = (a: Float32Array, b: Float32Array): number => {
  let d = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    d += ((a[i] ?? Number.NaN) - (b[i] ?? 0)) ** 2;
    n += (b[i] ?? 0) ** 2;
  }
  return a.length !== b.length ? Number.POSITIVE_INFINITY : Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-6);
};

/** The worst parameter of a program: its name and relative error (NaN fails too). */
const worst = (ref: Stepped, got: Stepped): { name: string; err: number } => {
  let out = { name: '-', err: 0 };
  ref.after.forEach((params, i) => {
    for (const [name, v] of params) {
      const err = relError(got.after[i]?.get(name) ?? new Float32Array(0), v);
      // NaN compares false: it must win too.
      if (out.name === '-' || !(err <= out.err)) out = { name, err };
    }
  });
  return out;
};

export interface ProgramResult {
  readonly file: string;
  readonly ok: boolean;
  readonly line: string;
}

/** Runs the check; prints one line per program and the kernel summary; true when all pass. */
export const kernelCheck = async (opts: { target: BackendRequest; only?: string; tol: number; kernelsOnly: boolean }): Promise<boolean> => {
  const files = programs.filter((f) => opts.only === undefined || f.includes(opts.only));
  const used = new Map<string, Set<string>>();
  const results: ProgramResult[] = [];
  if (!opts.kernelsOnly) console.log(`target: ${await use(opts.target)}`);
  for (const file of files) {
    let ir: IRProgram;
    try {
      ir = compileFile(file);
    } catch (err) {
      results.push({ file, ok: false, line: `FAIL ${file}: ${String(err).split('\n').slice(0, 2).join(' ')}` });
      console.log(results[results.length - 1]?.line);
      continue;
    }
    const host = stepHostReads(ir);
    if (host !== undefined && !opts.kernelsOnly) {
      // xreg run takes these to wasm (runtime/backend/host-reads.ts): nothing to compare on webgpu.
      console.log(`host ${file}: not run on ${opts.target}: ${host}`);
      continue;
    }
    const refName: BackendRequest = isHeavy(ir) ? 'wasm' : 'cpu';
    await use(refName);
    const t0 = performance.now();
    let ref: Stepped;
    try {
      ref = await stepAll(lowerFirst(ir), true);
    } catch (err) {
      results.push({ file, ok: false, line: `${file}: the reference (${refName}) failed: ${String(err).split('\n')[0]}` });
      continue;
    }
    for (const k of ref.kernels) used.set(k, (used.get(k) ?? new Set()).add(file));
    if (opts.kernelsOnly) continue;
    await use(opts.target);
    const t1 = performance.now();
    try {
      const got = await stepAll(lowerFirst(ir), false);
      const w = worst(ref, got);
      const ok = w.err <= opts.tol;
      results.push({
        file,
        ok,
        line: `${ok ? 'ok  ' : 'FAIL'} ${file} vs ${refName}: worst ${w.name} rel. error ${w.err.toExponential(2)} (${((t1 - t0) / 1000).toFixed(1)} s ref, ${((performance.now() - t1) / 1000).toFixed(1)} s ${opts.target})`,
      });
    } catch (err) {
      results.push({ file, ok: false, line: `FAIL ${file}: ${opts.target} threw: ${String(err).split('\n')[0]}` });
    }
    console.log(results[results.length - 1]?.line);
  }
  const have = new Set(tf.getKernelsForBackend(opts.target === 'webgpu' ? 'webgpu' : opts.target).map((k) => k.kernelName));
  const missing = [...used.keys()].filter((k) => !have.has(k)).sort();
  console.log(`kernels the steps ran: ${used.size}; missing on ${opts.target}: ${missing.length === 0 ? 'none' : ''}`);
  for (const k of missing) console.log(`  ${k} (${[...(used.get(k) ?? [])].join(', ')})`);
  const failed = results.filter((r) => !r.ok);
  if (!opts.kernelsOnly) console.log(`programs: ${results.length - failed.length}/${results.length} within ${opts.tol} of the reference`);
  for (const r of failed) if (!r.line.startsWith('FAIL')) console.log(r.line);
  return failed.length === 0 && missing.length === 0;
};

if (process.argv[1]?.endsWith('kernel-check.ts') === true) {
  const only = stringOption('only');
  const target = BackendRequest.decode(stringOption('target') ?? 'webgpu');
  if (E.isLeft(target)) throw new Error(`--target: one of ${Object.keys(BackendRequest.keys).join(', ')}`);
  const ok = await kernelCheck({
    target: target.right,
    ...(only !== undefined ? { only } : {}),
    tol: numberOption('tol', 1e-3),
    kernelsOnly: flag('kernels-only'),
  });
  process.exitCode = ok ? 0 : 1;
}
