/**
 * Phases against the run, as the runtime plays them (runtime/exec/schedule.ts `phaseAt`): each
 * phase runs for its length, one without a length — and the last, whatever its length — runs to
 * the end of the run. Lengths are compared only where they share the run's unit.
 */
import { error, warning, type Diagnostic } from '../../dsl/diagnostic.js';
import type { Span } from '../../dsl/span.js';
import { Codes } from '../codes.js';
import type { IRDuration } from '../ir.js';

export interface PhaseFacts {
  readonly name: string;
  readonly span: Span;
  readonly length?: IRDuration;
}

const plural = (d: IRDuration): string => `${d.n} ${d.n === 1 ? d.unit.replace(/s$/, '') : d.unit}`;

export const checkPhases = (phases: readonly PhaseFacts[], run: IRDuration | undefined, runSpan: Span | undefined, diags: Diagnostic[]): void => {
  const open = phases.findIndex((p, i) => p.length === undefined && i < phases.length - 1);
  if (open >= 0) {
    const p = phases[open]!;
    const later = phases.slice(open + 1).map((q) => `'${q.name}'`);
    diags.push(
      error(
        Codes.phaseNeverRuns,
        `phase '${p.name}' has no length, so it runs to the end of the run: phase${later.length > 1 ? 's' : ''} ${later.join(', ')} after it never run${later.length > 1 ? '' : 's'}`,
        p.span,
        `give phase '${p.name}' a length, e.g. 'phase ${p.name} for 10 epochs'`,
      ),
    );
    return;
  }
  if (run === undefined) return;
  let start = 0;
  for (const [i, p] of phases.entries()) {
    if (i > 0 && start >= run.n) {
      diags.push({
        ...error(
          Codes.phaseNeverRuns,
          `phase '${p.name}' never runs: the phases before it take ${plural({ n: start, unit: run.unit })}, and the run is ${plural(run)} long`,
          p.span,
          'shorten the earlier phases or lengthen the run',
        ),
        ...(runSpan !== undefined ? { related: [{ span: runSpan, message: 'the run length' }] } : {}),
      });
      return;
    }
    const len = p.length;
    if (len === undefined || len.unit !== run.unit) return;
    start += len.n;
  }
  const last = phases[phases.length - 1];
  if (last !== undefined && start < run.n)
    diags.push(
      warning(
        Codes.phasesShort,
        `the phases take ${plural({ n: start, unit: run.unit })}, but the run is ${plural(run)} long: the last phase '${last.name}' runs to the end of the run, ${plural({ n: run.n - start + (last.length?.n ?? 0), unit: run.unit })} in all`,
        last.span,
        'make the phase lengths add up to the run',
      ),
    );
};
