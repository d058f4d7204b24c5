/**
 * Learning-rate schedules, read from an optimizer's options. With W = `warmup`, t the 0-based
 * update number and T = `total`:
 *
 *   t < W:       η(t) = η₀ · (t + 1) / W           (linear warm-up; update W − 1 runs at η₀, and the
 *                                                    first update is not wasted at η = 0)
 *   otherwise, with s = t − W and S = T − W (the schedule proper starts after the warm-up):
 *   "constant":  η(t) = η₀
 *   "step":      η(t) = η₀ · γ^⌊s / step_every⌋     (as torch.optim.lr_scheduler.StepLR)
 *   "cosine":    η(t) = η_min + (η₀ − η_min)(1 + cos(π · min(s, S) / S)) / 2
 *                                                   (as CosineAnnealingLR with T_max = S: η₀ at s = 0,
 *                                                    η_min at s = S and after)
 */
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import type { ConstArgs, LrSchedule } from '../types.js';
import { decodeWith } from './options.js';

export const scheduleNames = ['constant', 'step', 'cosine'] as const;
export type ScheduleName = (typeof scheduleNames)[number];

const Options = t.partial({
  schedule: t.string,
  warmup: t.number,
  step_every: t.number,
  step_gamma: t.number,
  min_lr: t.number,
});

const isName = (s: string): s is ScheduleName => (scheduleNames as readonly string[]).includes(s);

const isCount = (x: number): boolean => Number.isInteger(x) && x >= 0;

type Shape = (s: number, S: number) => number;

const shapeOf = (base: number, o: t.TypeOf<typeof Options>): E.Either<string, Shape> => {
  const name = o.schedule ?? 'constant';
  if (!isName(name)) {
    return E.left(`unknown schedule '${name}'; known schedules: ${scheduleNames.map((n) => `"${n}"`).join(', ')}`);
  }
  switch (name) {
    case 'constant':
      return E.right(() => base);
    case 'step': {
      const every = o.step_every ?? 0;
      const gamma = o.step_gamma ?? 0.1;
      if (!(Number.isInteger(every) && every > 0)) {
        return E.left(`schedule "step" needs step_every: a whole number of updates > 0, got ${every}`);
      }
      if (!(Number.isFinite(gamma) && gamma > 0)) return E.left(`step_gamma must be a finite number > 0, got ${gamma}`);
      return E.right((s) => base * gamma ** Math.floor(s / every));
    }
    case 'cosine': {
      const minLr = o.min_lr ?? 0;
      if (!(Number.isFinite(minLr) && minLr >= 0)) return E.left(`min_lr must be a finite number ≥ 0, got ${minLr}`);
      if (minLr > base) return E.left(`min_lr (${minLr}) is above the base learning rate (${base})`);
      // With nothing left after the warm-up there is no curve to follow: stay at the base rate.
      return E.right((s, S) => (S <= 0 ? base : minLr + ((base - minLr) * (1 + Math.cos((Math.PI * Math.min(s, S)) / S))) / 2));
    }
  }
};

export const makeLrSchedule = (base: number, options: ConstArgs): E.Either<string, LrSchedule> =>
  pipe(
    decodeWith('schedule', Options, options),
    E.filterOrElse(
      () => Number.isFinite(base) && base >= 0,
      () => `the learning rate must be a finite number ≥ 0, got ${base}`,
    ),
    E.chain((o) => {
      const warmup = o.warmup ?? 0;
      if (!isCount(warmup)) return E.left(`warmup must be a whole number of updates ≥ 0, got ${warmup}`);
      return pipe(
        shapeOf(base, o),
        E.map(
          (shape): LrSchedule =>
            (step, total) =>
              step < warmup ? (base * (step + 1)) / warmup : shape(step - warmup, total - warmup),
        ),
      );
    }),
  );
