/** `xreg merge DIR... --out DIR`: join the folders of a sweep or population run in parts (runtime/merge.ts). */
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { mergeRuns } from '../../runtime/merge.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { readTextSync } from '../check.js';
import { registryForFile } from '../plugins/registry.js';
import { renderAll, sourceOf } from './run.js';

export const registerMerge = (program: Command): Command =>
  program
    .command('merge')
    .description('join the folders of a sweep, seed list, ensemble or population run in parts (xreg run --member / --shard) into one run folder')
    .argument('<dirs...>', 'the part folders')
    .requiredOption('--out <dir>', 'the merged run folder')
    .action(async (dirs: string[], raw: { out: string }) => {
      process.exitCode = await mergeRuns(dirs, raw.out, process.argv.slice(2), {
        info: (l) => void process.stdout.write(l + '\n'),
        error: (l) => void process.stderr.write(l + '\n'),
      }, async (file) => E.mapLeft(renderAll)(await registryForFile(standardLibrary, file, sourceOf(file), readTextSync, { flags: [] })));
    });
