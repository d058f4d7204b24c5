/**
 * One finite step of every rule of the programs that differentiate through convolutions or learned
 * augmentation, on the wasm backend with the project's kernels (what `xreg run` selects without a
 * native backend): tfjs-cpu takes minutes per step for these.
 */
import * as E from 'fp-ts/lib/Either.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../runtime/backend/select.js';
import { checkProgram, compileFile, isHeavy, programs } from './lower-programs-check.js';

beforeAll(async () => {
  const selected = await selectBackend('wasm');
  if (E.isLeft(selected)) throw new Error(selected.left);
});

describe('one finite step of every rule (wasm)', () => {
  const heavy = programs.filter((f) => isHeavy(compileFile(f)));
  it('finds the convolutional programs', () => expect(heavy.length).toBeGreaterThan(0));
  for (const file of heavy) it(file, () => checkProgram(file));
});
