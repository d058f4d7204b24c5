/** `xreg check` as the command runs it: each file's plugins loaded into its own registry first. */
import { checkFiles, readTextSync } from '../../cli/check.js';
import { programRegistry } from '../../cli/plugins/registry.js';
import { standardLibrary } from '../../stdlib/registry.js';

export const checkWithPlugins = (files: readonly string[], json = false) =>
  checkFiles(files, { json, registryFor: (file, program) => programRegistry(standardLibrary, file, program, readTextSync) });
