/** `runProgram` on a program whose plugins are loaded the way `xreg run` loads them. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { readTextSync } from '../../cli/check.js';
import { registryForFile } from '../../cli/plugins/registry.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { go } from './run-program.js';

/** The program's registry as the commands build it. */
export const registryOf = async (file: string, flags: readonly string[] = []) =>
  registryForFile(standardLibrary, file, readFileSync(file, 'utf8'), readTextSync, { flags, cwd: path.dirname(file) });

export const runWithPlugins = async (file: string, out: string, steps?: number) => {
  const registry = await registryOf(file);
  if (E.isLeft(registry)) throw new Error(registry.left.map((d) => d.message).join('\n'));
  return go({ file, out, registry: registry.right, ...(steps !== undefined ? { steps } : {}) });
};
