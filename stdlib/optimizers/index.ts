import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { ConstArgs, OptimizerDef } from '../types.js';
import { adam, adamConfig, adamw, adamwConfig } from './adam.js';
import { rmsprop, rmspropConfig } from './rmsprop.js';
import { makeLrSchedule } from './schedules.js';
import { newton, newtonConfig } from './newton.js';
import { proxSgd, proxSgdConfig } from './prox-sgd.js';
import { sgd, sgdConfig } from './sgd.js';

export { adam, adamw, newton, proxSgd, rmsprop, sgd };
export { makeLrSchedule, scheduleNames } from './schedules.js';
export type { ScheduleName } from './schedules.js';

export const optimizers: readonly OptimizerDef[] = [sgd, adam, adamw, rmsprop, newton, proxSgd];

const configs: Readonly<Record<string, (o: ConstArgs) => E.Either<string, unknown>>> = {
  sgd: sgdConfig,
  adam: adamConfig,
  adamw: adamwConfig,
  rmsprop: rmspropConfig,
  newton: newtonConfig,
  prox_sgd: proxSgdConfig,
};

/**
 * The range checks behind an optimizer's ArgSpecs (β in [0, 1), eps > 0, a known schedule, …), for the
 * compiler to turn into located diagnostics before lowering; `step` assumes they passed.
 * `options` holds every option of the call, `lr` included.
 */
export const validateOptimizerOptions = (name: string, options: ConstArgs): E.Either<string, void> => {
  const cfg = configs[name];
  if (cfg === undefined) return E.left(`unknown optimizer '${name}'; known: ${Object.keys(configs).join(', ')}`);
  const lr = options['lr'];
  if (typeof lr !== 'number') return E.left(`${name}: lr must be a number`);
  return pipe(
    cfg(options),
    E.chain(() => makeLrSchedule(lr, options)),
    E.map(() => undefined),
  );
};
