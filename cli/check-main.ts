/**
 * The entry of the `xreg check` bundle (tools/bundle-cli.mjs → dist/bundle/check.cjs): the command
 * line with `check` alone, imported statically, so that the bundle is one script whose compiled code
 * V8 can cache (cli/code-cache.ts). Its `--help`, `--version` and usage errors are cli/xreg.ts's.
 * `dynamicImport`: the loader's own `import()`, which the bundle, run as a script, lacks.
 */
import { registerCheck } from './commands/check.js';
import { useDynamicImport, type DynamicImport } from './plugins/dynamic-import.js';
import { programWith } from './program.js';

export const main = async (argv: readonly string[], dynamicImport?: DynamicImport): Promise<void> => {
  if (dynamicImport !== undefined) useDynamicImport(dynamicImport);
  await programWith([registerCheck]).parseAsync([...argv]);
};
