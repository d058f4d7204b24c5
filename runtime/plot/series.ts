/** Logged scalars out of metrics.jsonl rows: names, series over steps, per-member series. */
import type { MetricsRow } from './formats.js';
import type { Point } from './lines.js';
import type { MemberSeries } from './members.js';

/** Keys of a record that are not logged values (see docs/run-folder.md). */
const RESERVED = new Set(['step', 'epoch', 'member', 'member_seed', 'sweep_value', 'sweep']);

/** Every logged name, in the order first seen. */
export const seriesNames = (rows: readonly MetricsRow[]): string[] => {
  const seen = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r)) if (!RESERVED.has(k)) seen.add(k);
  return [...seen];
};

export const hasMembers = (rows: readonly MetricsRow[]): boolean => rows.some((r) => r.member !== undefined);

/** The value as a number; a non-finite value and absence read as NaN and are not drawn. */
export const valueOf = (r: MetricsRow, name: string): number => {
  const v = r[name];
  return typeof v === 'number' ? v : NaN;
};

export const seriesOf = (rows: readonly MetricsRow[], name: string): Point[] =>
  rows.filter((r) => name in r).map((r) => ({ x: r.step, y: valueOf(r, name) }));

export const membersOf = (rows: readonly MetricsRow[], name: string): MemberSeries[] => {
  const by = new Map<number, Point[]>();
  for (const r of rows) {
    if (!(name in r)) continue;
    const m = r.member ?? 0;
    const pts = by.get(m) ?? [];
    pts.push({ x: r.step, y: valueOf(r, name) });
    by.set(m, pts);
  }
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([member, points]) => ({ member, points }));
};

/**
 * The logged names a figure argument stands for: the name itself, or, for a vector logged one
 * entry per key, `name[0]`, `name.0`, `name/0`, ...
 */
export const expandSeries = (names: readonly string[], wanted: string): string[] =>
  names.includes(wanted) ? [wanted] : names.filter((n) => n.startsWith(`${wanted}[`) || n.startsWith(`${wanted}.`) || n.startsWith(`${wanted}/`));

/** The last row of each member where both names have finite values. */
export const lastPerMember = (rows: readonly MetricsRow[], xName: string, yName: string): { member: number; x: number; y: number }[] => {
  const last = new Map<number, { x: number; y: number; step: number }>();
  for (const r of rows) {
    const x = valueOf(r, xName);
    const y = valueOf(r, yName);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    const m = r.member ?? 0;
    const prev = last.get(m);
    if (prev === undefined || r.step >= prev.step) last.set(m, { x, y, step: r.step });
  }
  return [...last.entries()].sort((a, b) => a[0] - b[0]).map(([member, v]) => ({ member, x: v.x, y: v.y }));
};
