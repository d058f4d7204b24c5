/** `xreg status --redis URL [--queue NAME] [--json]`: progress of the queued runs (runtime/queue/status.ts). */
import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_QUEUE } from '../../runtime/queue/jobs.js';
import { queueStatus, showStatus } from '../../runtime/queue/status.js';
import { decodeQueueOptions } from './queue-options.js';

export const registerStatus = (program: Command): Command =>
  program
    .command('status')
    .description('how far the runs queued by xreg submit have got')
    .requiredOption('--redis <url>', 'the Redis server, e.g. redis://queue-host:6379')
    .option('--queue <name>', `queue name (default ${DEFAULT_QUEUE})`)
    .option('--json', 'machine-readable')
    .action(async (raw: { json?: boolean }) => {
      const q = decodeQueueOptions(raw);
      if (E.isLeft(q)) {
        process.stderr.write(`xreg status: ${q.left}\n`);
        process.exitCode = 2;
        return;
      }
      const s = await queueStatus(q.right.redis, q.right.queue);
      if (E.isLeft(s)) {
        process.stderr.write(`${s.left}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write((raw.json === true ? JSON.stringify(s.right, null, 2) : showStatus(s.right)) + '\n');
    });
