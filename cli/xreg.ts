/**
 * The `xreg` command line. Each subcommand lives in cli/commands/NAME.ts and exports a
 * `registerNAME(program)`; this file only wires them together.
 */
import { Command, CommanderError } from 'commander';
import { registerCheck } from './commands/check.js';
import { registerExplain } from './commands/explain.js';
import { registerPlot } from './commands/plot.js';
import { registerRun } from './commands/run.js';

const registrations: ReadonlyArray<(program: Command) => Command> = [registerCheck, registerExplain, registerPlot, registerRun];

export const buildProgram = (): Command => {
  const program = new Command()
    .name('xreg')
    .description('a declarative language for regularization research')
    .version('0.1.0')
    // Bad usage exits with 2 (not commander's 1), so that 1 always means "the program has errors".
    .exitOverride((err: CommanderError) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  for (const register of registrations) register(program);
  program.showHelpAfterError();
  return program;
};

export const main = async (argv: readonly string[]): Promise<void> => {
  await buildProgram().parseAsync([...argv]);
};

await main(process.argv);
