/** `xreg export DIR --safetensors --tensorboard`: a run in formats other tools read. */
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { exportSafetensors } from '../../runtime/results/safetensors.js';
import { exportTensorboard } from '../../runtime/results/tensorboard.js';

interface ExportOptions {
  readonly safetensors?: boolean;
  readonly tensorboard?: boolean;
}

export const exportCommand = async (dir: string, o: ExportOptions, err: (l: string) => void, out: (l: string) => void): Promise<number> => {
  const jobs = [...(o.safetensors === true ? [exportSafetensors] : []), ...(o.tensorboard === true ? [exportTensorboard] : [])];
  if (jobs.length === 0) {
    err('xreg export: say what to write: --safetensors (final parameters) and/or --tensorboard (logged values)');
    return 2;
  }
  let code = 0;
  for (const job of jobs) {
    const r = await job(dir);
    if (E.isLeft(r)) {
      err(`xreg export: ${r.left}`);
      code = 1;
    } else out(r.right);
  }
  return code;
};

export const registerExport = (program: Command): Command =>
  program
    .command('export')
    .description("write a run for other tools: its final parameters (DIR/params.safetensors), its logged values (DIR/tensorboard/)")
    .argument('<dir>', 'run directory')
    .option('--safetensors', 'the parameters of the final checkpoint as a safetensors file')
    .option('--tensorboard', 'every logged scalar of metrics.jsonl as a TensorBoard event file')
    .action(async (dir: string, o: ExportOptions) => {
      process.exitCode = await exportCommand(
        dir,
        o,
        (l) => process.stderr.write(`${l}\n`),
        (l) => process.stdout.write(`${l}\n`),
      );
    });
