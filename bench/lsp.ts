/**
 * Language-server latency: `npx tsx bench/lsp.ts [--edits 30] [--blocks 74]`. Starts `xreg lsp`
 * (from source, through tsx) with a real client, opens a generated program of about 300 lines
 * (74 blocks of param / loss / update / metric), then changes one learning rate per edit and
 * measures the time from sending the change to receiving its diagnostics. Prints the line count,
 * the median, 90th percentile and max over the edits (the first open separately: it pays for the
 * module loads), and the load average before and after (wall times mean little on a busy machine).
 * The target: under 200 ms per edit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startClient } from '../test/lsp/client.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const edits = Number(arg('edits', '30'));
const blocks = Number(arg('blocks', '74'));

const program = (lr: number): string =>
  [
    'data d = correlated_features(base: 5, copies: 4, noise: 0.1, n: 300, seed: 1)',
    'split d { train: 1/3, reg: 1/3, test: 1/3 } seed 0',
    ...Array.from({ length: blocks }, (_, i) => [
      `param w${i} : Tensor[20] ~ normal(0, 1)`,
      `loss fit${i} = mse(x @ w${i}, y) + 0.01 * l2(w${i}) over train`,
      `update w${i} by sgd(lr: ${i === 0 ? lr : 0.01}) on fit${i}`,
      `metric gen${i} = mse(x @ w${i}, y) over reg`,
    ]).flat(),
    'run 100 steps',
    '',
  ].join('\n');

const quantile = (xs: readonly number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

const dir = mkdtempSync(path.join(tmpdir(), 'xreg-bench-lsp-'));
const file = path.join(dir, 'big.xreg');
writeFileSync(file, program(0.01));
const uri = pathToFileURL(file).href;
const before = loadavg();
const client = await startClient();
try {
  let t = performance.now();
  const first = client.nextDiagnostics(uri);
  await client.open(uri, program(0.01));
  const opened = await first;
  const openMs = performance.now() - t;
  if (opened.diagnostics.length > 0) throw new Error(`the generated program has diagnostics: ${opened.diagnostics[0]?.message ?? ''}`);
  const times: number[] = [];
  for (let k = 0; k < edits; k++) {
    const next = client.nextDiagnostics(uri);
    t = performance.now();
    await client.change(uri, k + 2, program(0.01 + (k + 1) * 1e-4));
    await next;
    times.push(performance.now() - t);
  }
  const lines = program(0.01).split('\n').length - 1;
  console.log(`program: ${lines} lines (${blocks} param/loss/update/metric blocks)`);
  console.log(`first open (module loads included): ${openMs.toFixed(0)} ms`);
  console.log(`edit → diagnostics over ${edits} edits: median ${quantile(times, 0.5).toFixed(1)} ms, p90 ${quantile(times, 0.9).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
  console.log(`load average before ${before.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores)`);
} finally {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
}
