/**
 * Schedules that can never fire, or that reach past the end of the run. The runtime fires a rule
 * at `from` (step 0 without one) and every `every` steps after it (runtime/exec/schedule.ts
 * `fires`), so an `every` longer than the run still fires once: only `from` decides "never".
 */
import { error, warning, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import { Codes } from '../codes.js';
import type { IRDuration, IRSchedule } from '../ir.js';

export interface ScheduleFacts {
  readonly rule: string;
  readonly schedule: IRSchedule;
  readonly spans: { every?: Span; from?: Span; until?: Span };
  readonly ruleSpan: Span;
  /** Length of the run or phase the rule belongs to, when the program states it. */
  readonly length?: IRDuration;
}

const fmt = (d: IRDuration): string => `${d.unit === 'steps' ? 'step' : 'epoch'} ${d.n}`;

export const checkSchedules = (facts: readonly ScheduleFacts[], diags: Diagnostic[]): void => {
  for (const f of facts) {
    const { every, from, until } = f.schedule;
    if (every.n <= 0) diags.push(error(Codes.everyZero, `rule ${f.rule} runs every ${every.n} ${every.unit}: it can never fire`, f.spans.every ?? f.ruleSpan));
    if (from !== undefined && until !== undefined && from.unit === until.unit && until.n <= from.n)
      diags.push(error(Codes.untilBeforeFrom, `rule ${f.rule} starts at ${fmt(from)} and stops at ${fmt(until)}: it can never fire`, f.spans.until ?? f.ruleSpan));
    const len = f.length;
    if (len === undefined) continue;
    if (from !== undefined && from.unit === len.unit && from.n >= len.n)
      diags.push(error(Codes.neverFires, `rule ${f.rule} starts at ${fmt(from)}, but the run ends after ${len.n} ${len.unit}: it never fires`, f.spans.from ?? f.ruleSpan));
    if (until !== undefined && until.unit === len.unit && until.n > len.n)
      diags.push(warning(Codes.untilAfterEnd, `rule ${f.rule} runs until ${fmt(until)}, after the run ends (${len.n} ${len.unit})`, f.spans.until ?? f.ruleSpan));
  }
};
