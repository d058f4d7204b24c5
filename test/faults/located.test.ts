/** A failure inside a rule's step names the rule's place in the program. */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshMember, runStep, type RunContext } from '../../runtime/exec/member.js';
import { uniformClock } from '../../compiler/lower/clock.js';
import { reportPlan } from '../../runtime/exec/loop.js';
import { fixtureData, fixtureIR, fixtureProgram } from '../runtime/fixture.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('runtime errors located', () => {
  it("a rule whose step throws is named with its file, line and column", () => {
    const ir = fixtureIR();
    const p = fixtureProgram(ir);
    const rule = p.rules[0];
    if (rule === undefined) throw new Error('no rule');
    const broken = { ...p, rules: [{ ...rule, step: () => { throw new Error('Operands could not be broadcast together with shapes 3 and 4.'); } }] };
    const ctx: RunContext = { program: broken, data: fixtureData(ir), clock: uniformClock(4), total: 8, report: reportPlan(broken, 8), multi: false };
    const m = freshMember(broken, 0, 1);
    const sp = rule.ir.span;
    expect(() => runStep(ctx, m)).toThrow(`the update at ${sp.file}:${sp.start.line}:${sp.start.column}`);
    expect(() => runStep(ctx, m)).toThrow(/failed: Operands could not be broadcast together/);
  });
});
