/** The options `submit`, `worker` and `status` share: where the queue is. */
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { DEFAULT_QUEUE } from '../../runtime/queue/jobs.js';

const Count = (what: string) =>
  new t.Type<number, string, unknown>(
    what,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u > 0,
    (u, c) => (typeof u === 'string' && /^\d+$/.test(u.trim()) && Number(u) > 0 ? t.success(Number(u)) : t.failure(u, c, `expected a positive integer, got '${String(u)}'`)),
    String,
  );

const Raw = t.intersection([
  t.type({ redis: t.string }),
  t.partial({ queue: t.string, attempts: Count('attempts'), concurrency: Count('concurrency'), lockSeconds: Count('lock seconds'), exploitTimeout: Count('exploit timeout'), name: t.string }),
]);

export interface QueueOptions {
  readonly redis: string;
  readonly queue: string;
  readonly attempts: number;
  readonly concurrency: number;
  readonly lockSeconds: number;
  readonly exploitTimeout: number;
  readonly name?: string;
}

export const decodeQueueOptions = (raw: unknown): E.Either<string, QueueOptions> =>
  pipe(
    Raw.decode(raw),
    E.mapLeft((errs) => {
      const e = errs[0];
      const key = (e?.context.map((c) => c.key).filter((k) => k !== '' && !/^\d+$/.test(k)) ?? [])[0] ?? 'redis';
      const flag = key.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`);
      return `--${flag}: ${e?.message ?? (key === 'redis' ? 'give the Redis server, e.g. --redis redis://127.0.0.1:6379' : `bad value '${String(e?.value)}'`)}`;
    }),
    E.chain((o) =>
      /^rediss?:\/\//.test(o.redis)
        ? E.right({
            redis: o.redis,
            queue: o.queue ?? DEFAULT_QUEUE,
            attempts: o.attempts ?? 3,
            concurrency: o.concurrency ?? 1,
            lockSeconds: o.lockSeconds ?? 30,
            exploitTimeout: o.exploitTimeout ?? 600,
            ...(o.name !== undefined ? { name: o.name } : {}),
          })
        : E.left(`--redis ${o.redis}: expected a redis:// (or rediss://) URL`),
    ),
  );
