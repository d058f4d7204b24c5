/** `xreg plot DIR [--out DIR2]`: SVG charts of a run directory, and an index page embedding them. */
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { formatErrors } from '../../runtime/plot/decode.js';
import { plotRun } from '../../runtime/plot/run.js';
import { fsReason, isFsFailure } from '../../runtime/folder/fs-errors.js';

const PlotOptions = t.partial({ out: t.string });

export interface PlotIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleIO: PlotIO = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** Runs the command; returns the exit code (0: charts written, 1: a file could not be read or decoded). */
export const plotCommand = async (dir: string, rawOptions: unknown, io: PlotIO = consoleIO): Promise<number> => {
  const opts = PlotOptions.decode(rawOptions);
  if (E.isLeft(opts)) {
    io.err(`xreg plot: bad options: ${formatErrors(opts.left)}`);
    return 1;
  }
  let result: Awaited<ReturnType<typeof plotRun>>;
  try {
    result = await plotRun(dir, opts.right.out);
  } catch (e) {
    // A read-only or full disk: one line, not a stack trace.
    if (!isFsFailure(e)) throw e;
    io.err(`xreg plot: cannot write the charts of ${dir}: ${fsReason(e)}`);
    return 1;
  }
  if (E.isLeft(result)) {
    io.err(`xreg plot: ${result.left}`);
    return 1;
  }
  for (const n of result.right.notes) io.err(`note: ${n}`);
  for (const f of result.right.files) io.out(f);
  return 0;
};

export const registerPlot = (program: Command): Command =>
  program
    .command('plot')
    .description('draw SVG charts of a run directory (metrics.jsonl, manifest.json, path/reliability/spline.json) into DIR/figures')
    .argument('<dir>', 'run directory')
    .option('--out <dir>', 'where to write the charts (default: DIR/figures)')
    .action(async (dir: string, options: unknown) => {
      process.exitCode = await plotCommand(dir, options);
    });
