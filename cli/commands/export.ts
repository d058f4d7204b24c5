/** `xreg export DIR --safetensors`: a run's final parameters in a format other tools read. */
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { exportSafetensors } from '../../runtime/results/safetensors.js';

export const exportCommand = async (dir: string, o: { readonly safetensors?: boolean }, err: (l: string) => void, out: (l: string) => void): Promise<number> => {
  if (o.safetensors !== true) {
    err('xreg export: say what to write: --safetensors');
    return 2;
  }
  const r = await exportSafetensors(dir);
  if (E.isLeft(r)) {
    err(`xreg export: ${r.left}`);
    return 1;
  }
  out(r.right);
  return 0;
};

export const registerExport = (program: Command): Command =>
  program
    .command('export')
    .description("write a run's final parameters for other tools (DIR/params.safetensors)")
    .argument('<dir>', 'run directory')
    .option('--safetensors', 'the parameters of the final checkpoint as a safetensors file')
    .action(async (dir: string, o: { safetensors?: boolean }) => {
      process.exitCode = await exportCommand(
        dir,
        o,
        (l) => process.stderr.write(`${l}\n`),
        (l) => process.stdout.write(`${l}\n`),
      );
    });
