/**
 * `xreg submit FILE --redis URL [--queue NAME] [--out DIR] [--attempts N] [run options]`: enqueue a
 * sweep's members on Redis (runtime/queue/submit.ts); `xreg worker` trains them.
 */
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_QUEUE } from '../../runtime/queue/jobs.js';
import { submitRun } from '../../runtime/queue/submit.js';
import { decodeRunOptions, renderAll, sourceOf } from './run.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { readTextSync } from '../check.js';
import { registryForFile } from '../plugins/registry.js';
import { decodeQueueOptions } from './queue-options.js';

export const registerSubmit = (program: Command): Command =>
  program
    .command('submit')
    .description('enqueue the members of a sweep or population on Redis for xreg worker processes; the last one to finish merges them')
    .argument('<file>', '.xreg program (at the same path on every worker)')
    .requiredOption('--redis <url>', 'the Redis server, e.g. redis://queue-host:6379')
    .option('--queue <name>', `queue name (default ${DEFAULT_QUEUE})`)
    .option('--out <dir>', 'run folder, seen by every worker at this path (default runs/<program>-<timestamp>); members train in OUT/members/I')
    .option('--attempts <n>', 'tries per member when a worker stops it or its training throws (default 3); a lost worker does not use one up')
    .option('--exploit-timeout <s>', 'a population: seconds a member waits at an exploit for the others before they decide without it (default 600)')
    .option('--steps <n>', 'run this many steps instead of the program length')
    .option('--epochs <n>', 'run this many epochs instead of the program length')
    .option('--seed <s>', 'random seed (default: the program seed)')
    .option('--seeds <list>', 'train the program once per seed (0,1,2 or 0..4), one member per seed')
    .option('--backend <name>', 'tensorflow-gpu, tensorflow, wasm or cpu (default: fastest available on each worker)')
    .option('--set <name=value...>', 'override a let constant')
    .option('--checkpoint-every <n>', 'save a member checkpoint every n steps: a lost worker costs at most this many steps')
    .option('--plugin <path...>', 'load a plugin module besides those the program and xreg.config.json name (at the same path on every worker)')
    .option('--eval-limit <n>', 'evaluate whole-split metrics on a fixed subset of at most n examples')
    .action(async (file: string, raw: unknown) => {
      const argv = process.argv.slice(2);
      const o = decodeRunOptions(file, raw, argv);
      const q = decodeQueueOptions(raw);
      if (E.isLeft(o) || E.isLeft(q)) {
        const msg = E.isLeft(o) ? o.left : E.isLeft(q) ? q.left : '';
        process.stderr.write(msg.startsWith('error[') ? `${msg}\n` : `xreg submit: ${msg}\n`);
        process.exitCode = 2;
        return;
      }
      const { quiet: _quiet, resume: _resume, part: _part, force: _force, allowDivergence: _allow, ...run } = o.right;
      const registry = await registryForFile(standardLibrary, file, sourceOf(file), readTextSync, { flags: run.plugins });
      if (E.isLeft(registry)) {
        process.stderr.write(`${renderAll(registry.left)}\n`);
        process.exitCode = 1;
        return;
      }
      const r = await submitRun(
        { ...run, registry: registry.right, redis: q.right.redis, queue: q.right.queue, attempts: q.right.attempts, exploitTimeoutMs: q.right.exploitTimeout * 1000 },
        renderAll,
      );
      if (E.isLeft(r)) {
        process.stderr.write(`${r.left}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(`submitted ${r.right.run}: ${r.right.members} members to queue '${q.right.queue}' at ${q.right.redis}\n`);
      if (r.right.population) {
        process.stdout.write(
          `a population trains its ${r.right.members} members side by side: start workers with ${r.right.members} slots in all (workers × --concurrency); at an exploit a member waits at most ${q.right.exploitTimeout} s for the others\n`,
        );
      }
      process.stdout.write(`run folder: ${r.right.out} (every worker must see it at this path)\n`);
      process.stdout.write(`next: xreg worker --redis ${q.right.redis} on each machine; xreg status --redis ${q.right.redis}\n`);
    });
