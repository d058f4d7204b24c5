import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { ConstArgs, OptimizerDef } from '../types.js';
import { adam, adamw } from './adam.js';
import { rmsprop } from './rmsprop.js';
import { makeLrSchedule } from './schedules.js';
import { newton } from './newton.js';
import { proxSgd } from './prox-sgd.js';
import { sgd } from './sgd.js';

export { adam, adamw, newton, proxSgd, rmsprop, sgd };
export { makeLrSchedule, scheduleNames } from './schedules.js';
export type { ScheduleName } from './schedules.js';

export const optimizers: readonly OptimizerDef[] = [sgd, adam, adamw, rmsprop, newton, proxSgd];

/**
 * An optimizer's options, checked before lowering so the compiler can locate what is wrong: the
 * entry's own `validate` (β in [0, 1), eps > 0, …), then `lr` and the schedule every optimizer
 * takes. `options` holds every option of the call, `lr` included.
 */
export const validateOptimizerOptions = (def: OptimizerDef, options: ConstArgs): E.Either<string, void> => {
  const lr = options['lr'];
  if (typeof lr !== 'number') return E.left(`${def.name}: lr must be a number`);
  return pipe(
    def.validate(options),
    E.chain(() => makeLrSchedule(lr, options)),
    E.map(() => undefined),
  );
};
