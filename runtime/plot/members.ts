/** Chart (e): one thin line per member of a population, sweep or ensemble, and their mean. */
import type { TopLevelSpec } from 'vega-lite';
import { chartFrame, renderSvg } from './render.js';
import type { Point } from './lines.js';
import { yScaleAxis } from './lines.js';

export interface MemberSeries {
  readonly member: number;
  readonly points: readonly Point[];
}

export interface MembersOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel?: string;
  readonly yLabel: string;
  readonly members: readonly MemberSeries[];
  readonly logY?: boolean;
  /** Drawn on top in a strong colour: the member a sweep selected, or the best of a population. */
  readonly highlight?: number;
}

/** Past this many members a legend says nothing: lines are drawn in one grey. */
const LEGEND_UP_TO = 10;

/** Mean over the members that logged at each x. */
export const meanOverMembers = (members: readonly MemberSeries[], logY: boolean): Point[] => {
  const acc = new Map<number, { sum: number; n: number }>();
  for (const m of members)
    for (const p of m.points) {
      if (!Number.isFinite(p.y) || !Number.isFinite(p.x) || (logY && p.y <= 0)) continue;
      const a = acc.get(p.x) ?? { sum: 0, n: 0 };
      acc.set(p.x, { sum: a.sum + p.y, n: a.n + 1 });
    }
  return [...acc.entries()].sort((a, b) => a[0] - b[0]).map(([x, a]) => ({ x, y: a.sum / a.n }));
};

export const membersSpec = (o: MembersOptions): TopLevelSpec => {
  const logY = o.logY ?? false;
  const rows = o.members.flatMap((m) =>
    m.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!logY || p.y > 0)).map((p) => ({ x: p.x, y: p.y, member: m.member })),
  );
  const mean = meanOverMembers(o.members, logY);
  const few = o.members.length <= LEGEND_UP_TO;
  const hl = o.highlight !== undefined ? rows.filter((r) => r.member === o.highlight) : [];
  const y = { field: 'y', type: 'quantitative' as const, ...yScaleAxis(rows.map((r) => r.y), logY, o.yLabel) };
  const x = { field: 'x', type: 'quantitative' as const, axis: { title: o.xLabel ?? 'step', tickCount: 8 }, scale: { nice: false } };
  const subtitle = o.subtitle ?? `${o.members.length} members; thin: each member, thick black: mean${hl.length > 0 ? `, red: member ${o.highlight}` : ''}`;
  return {
    ...chartFrame(o.title, subtitle),
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line', strokeWidth: 1, opacity: few ? 0.9 : 0.35, clip: true },
        encoding: {
          x,
          y,
          detail: { field: 'member', type: 'nominal' },
          color: few ? { field: 'member', type: 'nominal', legend: { title: 'member', orient: 'right' } } : { value: '#7f7f7f' },
        },
      },
      { data: { values: mean }, mark: { type: 'line', strokeWidth: 3, color: 'black', clip: true }, encoding: { x, y: { field: 'y', type: 'quantitative' } } },
      ...(hl.length > 0
        ? [{ data: { values: hl }, mark: { type: 'line' as const, strokeWidth: 2.5, color: '#d62728', clip: true }, encoding: { x, y: { field: 'y', type: 'quantitative' as const } } }]
        : []),
    ],
  };
};

export const membersChart = (o: MembersOptions): Promise<string> => renderSvg(membersSpec(o));
