/**
 * `xreg check FILE... [--json]`: syntax, compiler and lowering diagnostics of programs: everything
 * `xreg run` does before it loads data, touching no data.
 */
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { checkFiles, readTextSync } from '../check.js';
import { programRegistry } from '../plugins/registry.js';
import { standardLibrary } from '../../stdlib/registry.js';

const CheckCliOptions = t.partial({ json: t.boolean, plugin: t.array(t.string) });

/** Colors only for a person at a terminal, and never when NO_COLOR is set (https://no-color.org). */
export const useColor = (isTTY: boolean | undefined, env: NodeJS.ProcessEnv): boolean =>
  isTTY === true && (env['NO_COLOR'] === undefined || env['NO_COLOR'] === '');

export const registerCheck = (program: Command): Command =>
  program
    .command('check')
    .description('check programs for errors without running them')
    .argument('<files...>', '.xreg programs')
    .option('--json', 'print the diagnostics as a JSON array')
    .option('--plugin <path...>', 'load a plugin module (a .js/.ts file or a package) besides those the program and xreg.config.json name')
    .action(async (files: string[], rawOptions: unknown) => {
      const opts = CheckCliOptions.decode(rawOptions);
      if (E.isLeft(opts)) {
        process.stderr.write('xreg check: bad options\n');
        process.exitCode = 2;
        return;
      }
      const r = await checkFiles(files, {
        json: opts.right.json === true,
        color: useColor(process.stdout.isTTY, process.env),
        registryFor: (file, program) => programRegistry(standardLibrary, file, program, readTextSync, { flags: opts.right.plugin ?? [] }),
      });
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.exitCode = r.exitCode;
    });
