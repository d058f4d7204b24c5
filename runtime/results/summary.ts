/** The table printed at the end of a run: final and best value of every reported item, per member. */
import type { FinishedMember } from '../exec/snapshot.js';
import type { TopResult } from '../exec/top-k.js';

const fmt = (v: number | undefined): string => (v === undefined ? '-' : Number.isInteger(v) ? String(v) : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-3 ? v.toExponential(4) : v.toPrecision(6));

const table = (rows: readonly (readonly string[])[]): string => {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
};

/** `select best K`: the members kept, and what their ensemble scored. */
export const topText = (top: TopResult): string => {
  const head = `the best ${top.members.length}: members ${top.members.join(', ')}`;
  if (top.values !== undefined) return `${head}; their ensemble: ${Object.entries(top.values).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}`;
  return top.note !== undefined ? `${head} (${top.note})` : head;
};

/**
 * One row per (member, value); members are labelled by sweep value, or seed (`bySeed`: a seed
 * list), or index when there are several.
 */
export const summaryTable = (members: readonly FinishedMember[], selected?: number, bySeed = false): string => {
  const rows: string[][] = [];
  const many = members.length > 1;
  // A 1000-member sweep would print 1000 blocks: show the first, the selected and the last few.
  const shown = members.length <= 12 ? members : members.filter((m, i) => i < 3 || i >= members.length - 3 || m.index === selected);
  rows.push(many ? ['member', 'value', 'final', 'best'] : ['value', 'final', 'best']);
  // An unrolled ensemble logs every value per member too (`fit@m0`): the table shows the aggregate.
  const perMember = (name: string): boolean => /@m\d+$/.test(name);
  let hidden = 0;
  for (const m of shown) {
    // a grid's values as written in the program (`lam=0.01`), not padded to six digits each
    const grid = m.sweepValues !== undefined ? Object.entries(m.sweepValues).map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`).join(', ') : undefined;
    const name = grid !== undefined ? `${m.index} (${grid})` : m.sweepValue !== undefined ? `${m.index} (=${fmt(m.sweepValue)})` : bySeed ? `${m.index} (seed ${m.seed})` : String(m.index);
    const label = `${name}${m.index === selected ? ' *' : ''}`;
    for (const name of Object.keys(m.final)) {
      if (perMember(name)) {
        hidden++;
        continue;
      }
      const cells = [name, fmt(m.final[name]), fmt(m.best[name])];
      rows.push(many ? [label, ...cells] : cells);
    }
  }
  const lines = [table(rows)];
  if (shown.length < members.length) lines.push(`(${members.length - shown.length} more members in metrics.jsonl)`);
  if (hidden > 0) lines.push(`(${hidden} per-member values of the ensemble in metrics.jsonl)`);
  if (selected !== undefined) lines.push(`selected: member ${selected} (*)`);
  return lines.join('\n');
};
