/**
 * The `xreg` command line. Each subcommand lives in cli/commands/NAME.ts and exports a
 * `registerNAME(program)`; this file only wires them together.
 *
 * Subcommands are imported lazily: `xreg check` should not pay for loading the runtime, the
 * TensorFlow.js backends and the chart renderer that only `run` and `plot` need.
 */
import type { Command } from 'commander';
import { programWith, type Register } from './program.js';

const subcommands: Readonly<Record<string, () => Promise<Register>>> = {
  check: async () => (await import('./commands/check.js')).registerCheck,
  explain: async () => (await import('./commands/explain.js')).registerExplain,
  run: async () => (await import('./commands/run.js')).registerRun,
  plot: async () => (await import('./commands/plot.js')).registerPlot,
  export: async () => (await import('./commands/export.js')).registerExport,
  lsp: async () => (await import('./commands/lsp.js')).registerLsp,
  merge: async () => (await import('./commands/merge.js')).registerMerge,
  submit: async () => (await import('./commands/submit.js')).registerSubmit,
  worker: async () => (await import('./commands/worker.js')).registerWorker,
  status: async () => (await import('./commands/status.js')).registerStatus,
};

/** The program with the subcommand named in `argv` registered, or all of them (for help and errors). */
export const buildProgram = async (argv: readonly string[]): Promise<Command> => {
  const named = argv[2];
  const loaders = named !== undefined && named in subcommands ? [subcommands[named]] : Object.values(subcommands);
  const registers: Register[] = [];
  for (const load of loaders) if (load !== undefined) registers.push(await load());
  return programWith(registers);
};

export const main = async (argv: readonly string[]): Promise<void> => {
  await (await buildProgram(argv)).parseAsync([...argv]);
};

await main(process.argv);
