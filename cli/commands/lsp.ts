/** `xreg lsp [--stdio] [--plugin PATH...]`: the language server, for editors (editors/vscode). */
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { startServer } from '../lsp/server.js';

const LspOptions = t.partial({ stdio: t.boolean, plugin: t.array(t.string) });

export const registerLsp = (program: Command): Command =>
  program
    .command('lsp')
    .description('run the language server on stdin/stdout (diagnostics, hover, go to definition, completion)')
    .option('--stdio', 'talk over stdin/stdout (the only transport; accepted because editors pass it)')
    .option('--plugin <path...>', 'load a plugin module for every document')
    .action((raw: unknown) => {
      const o = LspOptions.decode(raw);
      if (E.isLeft(o)) {
        process.stderr.write('xreg lsp: bad options\n');
        process.exitCode = 2;
        return;
      }
      startServer({ plugins: o.right.plugin ?? [] });
    });
