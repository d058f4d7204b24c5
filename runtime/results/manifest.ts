/** manifest.json: what was run, how, with what, and how it ended. */
import { createHash } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as t from 'io-ts';
import { AnyNumber, ExploitC, FinishedC } from '../checkpoint/format.js';
import { writeAtomic } from '../checkpoint/store.js';

export const MANIFEST_FILE = 'manifest.json';

// Synchronous: read once at start-up.
const require_read = (f: string): string => readFileSync(f, 'utf8');

export const sha256Text = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

export const Manifest = t.intersection([
  t.type({
    program: t.type({ path: t.string, sha256: t.string }),
    seed: t.number,
    backend: t.type({ name: t.string, detail: t.string }),
    versions: t.type({ node: t.string, tfjs: t.string, xreg: t.string }),
    command: t.array(t.string),
    overrides: t.record(t.string, t.union([t.number, t.boolean, t.string])),
    started: t.string,
    totalSteps: t.number,
    stepsPerEpoch: t.number,
    outcome: t.keyof({ running: null, completed: null, interrupted: null, failed: null, diverged: null }),
  }),
  t.partial({
    /** The run's length in epochs (an epoch of a growing split is shorter before its growth point). */
    totalEpochs: t.number,
    ended: t.string,
    stepsRun: t.number,
    seconds: t.number,
    phases: t.array(t.type({ name: t.string, seconds: t.number })),
    resumedFrom: t.array(t.type({ step: t.number, at: t.string })),
    error: t.string,
    /**
     * Where members diverged (a parameter or a reported loss became NaN or infinite), the first
     * time for each: outcome `diverged`, or a sweep/population/--allow-divergence run that went on.
     */
    divergences: t.array(
      t.intersection([t.type({ step: t.number, rule: t.string, at: t.string }), t.partial({ loss: t.string, parameter: t.string, value: t.string, member: t.number })]),
    ),
    selected: t.number,
    /** `select best K by ...`: the K best members (best first) and the metrics of their ensemble, or why they were not evaluated. */
    selectedTop: t.intersection([t.type({ members: t.array(t.number) }), t.partial({ values: t.record(t.string, AnyNumber), note: t.string })]),
    /** How the executor ran the program: one model, a sweep, an (unrolled) ensemble, a population, a seed list. */
    mode: t.keyof({ single: null, sweep: null, ensemble: null, population: null, seeds: null }),
    /** Members trained: sweep values, population size, seeds, or ensemble size (unrolled into one model). */
    members: t.number,
    /** The program's loss names: `xreg plot` draws them on one chart. */
    losses: t.array(t.string),
    /** The program's declared figures, for `xreg plot`. */
    figures: t.array(t.type({ name: t.string, kind: t.string, series: t.array(t.string) })),
    /** Every source file read (the program, then its imports), by a hash of its tokens (comments and spacing left out). */
    sources: t.array(t.type({ path: t.string, tokens: t.string })),
    /** Every data file named by the program, by size and modification time (see results/identity.ts). */
    data: t.array(t.type({ path: t.string, size: t.number, mtime: t.string })),
    /** Whole-split metrics were evaluated on a fixed subset of at most this many examples. */
    evalLimit: t.number,
    /** A sweep run in parts (`--member`, `--shard`): the members this folder holds. */
    part: t.array(t.number),
    /** Final and best reported values of each member trained (what `xreg merge` combines). */
    results: t.array(FinishedC),
    /** A sweep's `select`, so that a merge chooses as the whole run would. */
    select: t.type({ metric: t.string, direction: t.keyof({ lowest: null, highest: null }) }),
    /** A population: every exploit (step, the member copied and the one replaced, hyper-parameters before and after). */
    exploits: t.array(ExploitC),
    /** A population: its exploit interval in steps and direction, so that a merge orders the parts' records as one run writes them. */
    exploit: t.type({ every: t.number, direction: t.keyof({ lowest: null, highest: null }) }),
    /** A merged run: the folders it was merged from. */
    mergedFrom: t.array(t.string),
    /** A seed list (`--seeds`): member i was trained with seed `seeds[i]` (runtime/seeds.ts). */
    seeds: t.array(t.number),
    /** A seed list: mean and sample standard deviation over the seeds of each final value. */
    seedSummary: t.record(t.string, t.type({ mean: AnyNumber, sd: AnyNumber, n: t.number })),
  }),
]);
export type Manifest = t.TypeOf<typeof Manifest>;

const packageVersion = (name: string): string => {
  try {
    const req = createRequire(import.meta.url);
    const pkgFile = req.resolve(`${name}/package.json`);
    const raw: unknown = JSON.parse(require_read(pkgFile));
    return typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'string' ? raw.version : 'unknown';
  } catch {
    return 'unknown';
  }
};


const xregVersion = (): string => {
  try {
    const raw: unknown = JSON.parse(require_read(path.join(path.dirname(new URL(import.meta.url).pathname), '../../package.json')));
    return typeof raw === 'object' && raw !== null && 'version' in raw && typeof raw.version === 'string' ? raw.version : 'unknown';
  } catch {
    return 'unknown';
  }
};

export const versions = (): Manifest['versions'] => ({ node: process.version, tfjs: packageVersion('@tensorflow/tfjs-core'), xreg: xregVersion() });

export const writeManifest = async (dir: string, m: Manifest): Promise<void> =>
  writeAtomic(path.join(dir, MANIFEST_FILE), Buffer.from(JSON.stringify(Manifest.encode(m), null, 2) + '\n', 'utf8'));

export const readManifest = async (dir: string): Promise<Manifest | undefined> => {
  try {
    const raw: unknown = JSON.parse(await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8'));
    const d = Manifest.decode(raw);
    return d._tag === 'Right' ? d.right : undefined;
  } catch {
    return undefined;
  }
};
