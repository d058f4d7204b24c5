/**
 * Which programs compute on the host mid-step (so cannot run on webgpu under Node): the five that
 * bench/gpu/kernel-check.ts saw fail on the webgpu backend with a synchronous read, and no other;
 * and pbt, whose exploit step (runtime/exec/pbt.ts) reads on the host between steps.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { hostReads, stepHostReads } from '../../runtime/backend/host-reads.js';
import { selectBackend } from '../../runtime/backend/select.js';
import { compileFile, programs } from '../compiler/program-fixtures.js';

describe('host reads', () => {
  it('names what reads on the host, for exactly the programs that do', () => {
    const found = Object.fromEntries(programs.map((f) => [f, stepHostReads(compileFile(f))]).filter(([, why]) => why !== undefined));
    // Programs keep being added: the ones seen failing must be found, and ones that ran must not be.
    expect(Object.keys(found)).toEqual(
      expect.arrayContaining([
        'programs/crossreg/ridge_implicit.xreg',
        'programs/crossreg/ridge_path.xreg',
        'programs/crossreg/spline_cv.xreg',
        'programs/crossreg/spline_implicit.xreg',
        'programs/noise/augment.xreg',
      ]),
    );
    for (const ran of ['crossreg/ridge', 'crossreg/lasso', 'noise/crossreg_noise', 'noise/pbt', 'baselines/dropout', 'srn/srn_online', 'srn/srn_two_phase']) {
      expect(found[`programs/${ran}.xreg`], ran).toBeUndefined();
    }
    expect(found['programs/crossreg/ridge_path.xreg']).toContain('(the newton optimizer)');
    expect(found['programs/crossreg/ridge_implicit.xreg']).toContain('(an implicit-gradient update)');
    // A population's exploit reads the perturbed hyperparameters on the host between steps.
    expect(stepHostReads(compileFile('programs/noise/pbt.xreg'))).toBeUndefined();
    expect(hostReads(compileFile('programs/noise/pbt.xreg'))).toContain("(the population's exploit step)");
    expect(found['programs/noise/augment.xreg']).toMatch(/\(the (translate|rotate|shear), (translate|rotate|shear), (translate|rotate|shear) layers\)/);
  });

  it('passes over the avoided backend with its reason, and refuses it when forced', async () => {
    const forced = await selectBackend('webgpu', undefined, { kind: 'webgpu', why: 'because' });
    expect(forced).toEqual(E.left('--backend webgpu: because; use --backend wasm'));
    const auto = await selectBackend(undefined, async (name) => {
      throw new Error(`no ${name}`);
    }, { kind: 'webgpu', why: 'because' });
    expect(E.isRight(auto) && auto.right.detail).toContain('skipped webgpu: because; tensorflow-gpu:');
  });
});
