/**
 * `xreg worker --redis URL [--queue NAME] [--concurrency N] [--lock-seconds S] [--name NAME]`:
 * trains queued members until stopped (Ctrl-C or SIGTERM: the members in hand stop at the next
 * step, save a checkpoint and go back to the queue).
 */
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_QUEUE } from '../../runtime/queue/jobs.js';
import { startWorker } from '../../runtime/queue/worker.js';
import { decodeQueueOptions } from './queue-options.js';
import { renderAll } from './run.js';
import { standardLibrary } from '../../stdlib/registry.js';
import { readTextSync } from '../check.js';
import { registryForFile } from '../plugins/registry.js';

export const registerWorker = (program: Command): Command =>
  program
    .command('worker')
    .description('train the members queued by xreg submit, until stopped')
    .requiredOption('--redis <url>', 'the Redis server, e.g. redis://queue-host:6379')
    .option('--queue <name>', `queue name (default ${DEFAULT_QUEUE})`)
    .option('--concurrency <n>', 'members trained at once, interleaved step by step in this process (default 1; for more cores start more workers)')
    .option('--lock-seconds <s>', 'a member whose worker is silent this long is handed to another worker (default 30; longer than the slowest step)')
    .option('--name <name>', 'this worker in xreg status (default host:pid)')
    .action(async (raw: unknown) => {
      const q = decodeQueueOptions(raw);
      if (E.isLeft(q)) {
        process.stderr.write(`xreg worker: ${q.left}\n`);
        process.exitCode = 2;
        return;
      }
      const w = startWorker({
        redis: q.right.redis,
        queue: q.right.queue,
        concurrency: q.right.concurrency,
        lockMs: q.right.lockSeconds * 1000,
        ...(q.right.name !== undefined ? { name: q.right.name } : {}),
        log: (l) => void process.stdout.write(`${new Date().toISOString()} ${l}\n`),
        renderDiagnostics: renderAll,
        registryFor: (file, text, plugins) => registryForFile(standardLibrary, file, text, readTextSync, { flags: plugins }),
      });
      process.stdout.write(`worker ${q.right.name ?? process.pid} on queue '${q.right.queue}' at ${q.right.redis}\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.stdout.write('stopping: members in hand save a checkpoint and go back to the queue\n');
          void w.stop().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
