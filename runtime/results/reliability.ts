/**
 * reliability.json for a program's `reliability(probabilities, labels)` figure: the final model's
 * predictions binned by confidence (Guo et al. 2017), written once at the end of a run.
 */
import * as E from 'fp-ts/lib/Either.js';
import * as path from 'node:path';
import type { LoweredProgram, RunState } from '../../compiler/lower/types.js';
import { nodeFailureIn } from '../../compiler/lower/located.js';
import { formatSpan } from '../../dsl/span.js';
import { writeAtomic } from '../checkpoint/store.js';
import { drawBatches } from '../exec/batches.js';
import type { PreparedData } from '../exec/data.js';
import { RELIABILITY_FILE, type ReliabilityFile } from '../plot/formats.js';

/**
 * The bin of confidence `c` among `m` equal-width bins (k/m, (k+1)/m], the edge rule of
 * `calibration_error` (stdlib/functions/metrics.ts), so the figure's ECE is the metric's.
 */
export const binOf = (c: number, m: number): number => Math.min(m - 1, Math.max(0, Math.ceil(c * m) - 1));

/** Bins of the reliability figure: the programs' calibration_error uses 15. */
export const RELIABILITY_BINS = 15;

/**
 * Equal-width confidence bins over `n` examples of `k` class probabilities; `labels` holds a class
 * index per example or a one-hot row per example. ECE = Σ_b (|b|/n)·|acc(b) − conf(b)|.
 */
export const reliabilityBins = (probs: ArrayLike<number>, k: number, labels: ArrayLike<number>, nBins = RELIABILITY_BINS): ReliabilityFile => {
  const n = Math.floor(probs.length / k);
  const argmax = (xs: ArrayLike<number>, at: number): number => {
    let best = 0;
    for (let j = 1; j < k; j++) if ((xs[at + j] as number) > (xs[at + best] as number)) best = j;
    return best;
  };
  const oneHot = labels.length === n * k && k > 1;
  const conf = new Array<number>(nBins).fill(0);
  const hits = new Array<number>(nBins).fill(0);
  const count = new Array<number>(nBins).fill(0);
  for (let i = 0; i < n; i++) {
    const pred = argmax(probs, i * k);
    const c = probs[i * k + pred] as number;
    const y = oneHot ? argmax(labels, i * k) : Math.round(labels[i] as number);
    const b = binOf(c, nBins);
    conf[b] = (conf[b] as number) + c;
    hits[b] = (hits[b] as number) + (pred === y ? 1 : 0);
    count[b] = (count[b] as number) + 1;
  }
  const bins = count.map((m, b) => ({ confidence: m > 0 ? (conf[b] as number) / m : 0, accuracy: m > 0 ? (hits[b] as number) / m : 0, count: m }));
  const ece = n === 0 ? 0 : bins.reduce((s, b) => s + (b.count / n) * Math.abs(b.accuracy - b.confidence), 0);
  return { bins, ece };
};

/**
 * Evaluates every `reliability` figure of `program` at `state` and writes reliability.json (the
 * first at the top level, all of them by name under `figures`); Right(undefined) when the program
 * declares none, Left(why) when one cannot be drawn (the others are still written).
 */
export const writeReliability = async (
  out: string,
  program: LoweredProgram,
  state: RunState,
  data: PreparedData,
  seed: number,
  evalLimit?: number,
): Promise<E.Either<string, string | undefined>> => {
  const figs = program.figures.filter((f) => f.kind === 'reliability');
  if (figs.length === 0) return E.right(undefined);
  const drawn: Record<string, ReliabilityFile> = {};
  const problems: string[] = [];
  for (const fig of figs) {
    const pred = fig.predictions;
    if (pred === undefined) {
      problems.push(fig.notes.join('; ') || `figure ${fig.name}: cannot be drawn`);
      continue;
    }
    const batches = drawBatches([pred.needs], data, {}, seed, 0, 'eval', evalLimit);
    try {
      const p = await pred.evaluate(state, batches.batches[0] ?? {}, seed);
      drawn[fig.name] = { ...reliabilityBins(p.probs, p.classes, p.labels), title: fig.name };
    } catch (e) {
      // An expression of the figure that failed is named at its place, as during training.
      const node = nodeFailureIn(e);
      problems.push(`figure ${fig.name}: ${node !== undefined ? `${node.what} at ${formatSpan(node.span)} failed: ${node.reason}` : e instanceof Error ? e.message : String(e)}`);
    } finally {
      batches.dispose();
    }
  }
  const first = Object.values(drawn)[0];
  if (first !== undefined) {
    const file: ReliabilityFile = { ...first, figures: drawn };
    await writeAtomic(path.join(out, RELIABILITY_FILE), Buffer.from(JSON.stringify(file) + '\n', 'utf8'));
  }
  if (problems.length > 0) return E.left(problems.join('; '));
  return E.right(RELIABILITY_FILE);
};
