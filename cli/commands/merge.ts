/** `xreg merge DIR... --out DIR`: join the folders of a sweep or population run in parts (runtime/merge.ts). */
import type { Command } from 'commander';
import { mergeRuns } from '../../runtime/merge.js';

export const registerMerge = (program: Command): Command =>
  program
    .command('merge')
    .description('join the folders of a sweep or population run in parts (xreg run --member / --shard) into one run folder')
    .argument('<dirs...>', 'the part folders')
    .requiredOption('--out <dir>', 'the merged run folder')
    .action(async (dirs: string[], raw: { out: string }) => {
      process.exitCode = await mergeRuns(dirs, raw.out, process.argv.slice(2), {
        info: (l) => void process.stdout.write(l + '\n'),
        error: (l) => void process.stderr.write(l + '\n'),
      });
    });
