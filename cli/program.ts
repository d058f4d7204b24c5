/**
 * The bare `xreg` command (name, version, exit codes), shared by the full command line (cli/xreg.ts)
 * and the one-command bundle `xreg check` starts from (cli/check-main.ts), so that both answer
 * `--help`, `--version` and bad usage alike.
 */
import { Command, CommanderError } from 'commander';

export type Register = (program: Command) => Command;

export const newProgram = (): Command =>
  new Command()
    .name('xreg')
    .description('a declarative language for regularization research')
    .version('0.1.0')
    // Bad usage exits with 2 (not commander's 1), so that 1 always means "the program has errors".
    .exitOverride((err: CommanderError) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    });

/** The program with these subcommands registered. */
export const programWith = (registers: readonly Register[]): Command => {
  const program = newProgram();
  for (const register of registers) register(program);
  program.showHelpAfterError();
  return program;
};
