/** `xreg explain FILE [--set k=v ...]`: partitions, rules and loss graphs of a program, compiled without data. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { compileText } from '../../compiler/compile.js';
import { explain } from '../../compiler/explain.js';
import type { Diagnostic } from '../../dsl/diagnostic.js';
import { formatSpan } from '../../dsl/span.js';
import { registryForFile } from '../plugins/registry.js';
import { standardLibrary, type Registry } from '../../stdlib/registry.js';

const ExplainOptions = t.partial({ set: t.array(t.string), plugin: t.array(t.string) });

export interface ExplainIO {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleIO: ExplainIO = { out: (l) => process.stdout.write(l), err: (l) => process.stderr.write(`${l}\n`) };

const readFile = (p: string): E.Either<string, string> => {
  try {
    return E.right(readFileSync(p, 'utf8'));
  } catch (e) {
    return E.left(e instanceof Error ? e.message : String(e));
  }
};

/** `k=v` pairs: numbers and booleans typed, anything else a string. */
export const parseOverrides = (pairs: readonly string[]): E.Either<string, Record<string, number | string | boolean>> => {
  const out: Record<string, number | string | boolean> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) return E.left(`--set ${p}: expected NAME=VALUE`);
    const v = p.slice(i + 1);
    out[p.slice(0, i)] = v === 'true' ? true : v === 'false' ? false : v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return E.right(out);
};

const showDiagnostics = (io: ExplainIO, ds: readonly Diagnostic[]): void => {
  for (const d of ds) {
    io.err(`${formatSpan(d.span)}: ${d.severity} ${d.code}: ${d.message}${d.hint !== undefined ? ` (${d.hint})` : ''}`);
    for (const r of d.related ?? []) io.err(`  ${formatSpan(r.span)}: note: ${r.message}`);
  }
};

/** Returns the exit code: 0 explained, 1 the program has errors or could not be read. */
export const explainCommand = async (file: string, rawOptions: unknown, io: ExplainIO = consoleIO, base: Registry = standardLibrary): Promise<number> => {
  const opts = ExplainOptions.decode(rawOptions);
  if (E.isLeft(opts)) {
    io.err('xreg explain: bad options');
    return 1;
  }
  const overrides = parseOverrides(opts.right.set ?? []);
  if (E.isLeft(overrides)) {
    io.err(`xreg explain: ${overrides.left}`);
    return 1;
  }
  const text = readFile(file);
  if (E.isLeft(text)) {
    io.err(`xreg explain: cannot read ${file}: ${text.left}`);
    return 1;
  }
  const registry = await registryForFile(base, file, text.right, readFile, { flags: opts.right.plugin ?? [] });
  if (E.isLeft(registry)) {
    showDiagnostics(io, registry.left);
    return 1;
  }
  const r = compileText(text.right, file, { readFile, overrides: overrides.right, registry: registry.right });
  showDiagnostics(io, r.diagnostics);
  if (r.ir === undefined) return 1;
  io.out(explain(r.ir, registry.right));
  return 0;
};

export const registerExplain = (program: Command): Command =>
  program
    .command('explain')
    .description('print the partition table, the update rules and the loss graphs (with shapes) of a program')
    .argument('<file>', '.xreg program')
    .option('--set <name=value...>', 'override a let constant')
    .option('--plugin <path...>', 'load a plugin module besides those the program and xreg.config.json name')
    .action(async (file: string, options: unknown) => {
      process.exitCode = await explainCommand(file, options);
    });
