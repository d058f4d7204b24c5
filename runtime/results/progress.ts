/**
 * What a researcher reads while a run trains: the latest values, the time left, and plain lines for
 * logs that are not a terminal. Pure functions over counters, so the terminal code only prints.
 */
import type { ReportRecord } from '../exec/member.js';

/** Four significant digits, or exponent notation for very large and very small magnitudes. */
export const formatValue = (v: number): string =>
  !Number.isFinite(v) ? String(v) : Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toPrecision(4);

/** `1h 02m`, `3m 07s`, `12s`; `?` before anything is measured. */
export const formatSeconds = (s: number): string => {
  if (!Number.isFinite(s) || s < 0) return '?';
  const r = Math.round(s);
  const h = Math.floor(r / 3600);
  const m = Math.floor((r % 3600) / 60);
  const sec = r % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
};

/**
 * The latest reported values, losses first (they are what moves during training), at most `max`;
 * per-member copies of an unrolled ensemble (`fit@m0`) are left to metrics.jsonl.
 */
export const latestValues = (r: ReportRecord, losses: readonly string[], max = 4): string => {
  const entries = Object.entries(r.values).filter(([k]) => !k.includes('@'));
  const ranked = [...entries.filter(([k]) => losses.includes(k)), ...entries.filter(([k]) => !losses.includes(k))];
  return ranked
    .slice(0, max)
    .map(([k, v]) => `${k} ${formatValue(v)}`)
    .join('  ');
};

export interface ProgressPoint {
  /** Steps done so far over all members (the bar's position). */
  readonly done: number;
  /** Steps of the whole run over all members. */
  readonly total: number;
  /** Steps done when this session started (a resumed run's earlier steps do not count for speed). */
  readonly startedAt: number;
  /** Steps per second over the recent window (`recentRate`); NaN before two samples. */
  readonly rate: number;
  readonly epoch: number;
  /** `member 3/20 ` when there are several, else empty. */
  readonly member: string;
  readonly latest: string;
}

/** Steps measured before an ETA is shown: the first steps include warm-up (kernel set-up, first reads). */
export const ETA_AFTER = 3;

/** One reading of the step counter: wall-clock ms and steps done then. */
export interface RateSample {
  readonly t: number;
  readonly done: number;
}

/** How far back the rate looks, and how often a sample is kept (so a window holds at most 121). */
export const RATE_WINDOW_MS = 30_000;
export const RATE_SAMPLE_MS = 250;

/**
 * The window with `s` added (if `RATE_SAMPLE_MS` passed since the last sample) and samples older
 * than `windowMs` before it dropped, the newest old one kept as the window's start. The speed of a
 * run changes as it goes (a phase with a costlier rule starts, the machine gets busy), and the
 * average since the start answers that change only after as long again.
 */
export const addRateSample = (w: readonly RateSample[], s: RateSample, windowMs = RATE_WINDOW_MS): readonly RateSample[] => {
  const last = w[w.length - 1];
  if (last !== undefined && s.t - last.t < RATE_SAMPLE_MS && w.length > 1) return w;
  const kept = w.filter((x) => s.t - x.t <= windowMs);
  const older = w.filter((x) => s.t - x.t > windowMs);
  const start = older[older.length - 1];
  return [...(start !== undefined && kept.length < 2 ? [start] : []), ...kept, s];
};

/** Steps per second between the window's first and last samples; NaN while they are the same moment. */
export const recentRate = (w: readonly RateSample[]): number => {
  const first = w[0];
  const last = w[w.length - 1];
  if (first === undefined || last === undefined || last.t <= first.t) return NaN;
  return ((last.done - first.done) * 1000) / (last.t - first.t);
};

/** Seconds left at the recent rate; NaN (shown `?`) until `ETA_AFTER` steps ran. */
export const etaSeconds = (p: Pick<ProgressPoint, 'done' | 'total' | 'startedAt' | 'rate'>): number => {
  const ran = p.done - p.startedAt;
  if (p.done >= p.total) return 0;
  return ran < ETA_AFTER || !(p.rate > 0) ? NaN : (p.total - p.done) / p.rate;
};

/** `41.2 steps/s` or `2.5 s/step`; empty before a rate is known. */
export const formatRate = (rate: number): string =>
  !Number.isFinite(rate) || rate <= 0 ? '' : rate >= 1 ? `${rate.toFixed(1)} steps/s` : `${(1 / rate).toFixed(1)} s/step`;

/** One plain progress line: `step 120/6000 (2%) epoch 0 | 41.2 steps/s | ETA 2m 23s | fit 0.1234`. */
export const progressLine = (p: ProgressPoint): string => {
  const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 0;
  const speed = formatRate(p.rate);
  return `${p.member}step ${p.done}/${p.total} (${pct}%) epoch ${p.epoch}${speed !== '' ? ` | ${speed}` : ''} | ETA ${formatSeconds(etaSeconds(p))}${p.latest !== '' ? ` | ${p.latest}` : ''}`;
};

/** Whether a plain line is due: the first step, the last, and otherwise at most every `every` ms. */
export const lineDue = (now: number, last: number | undefined, done: number, total: number, every = 5000): boolean =>
  last === undefined || done >= total || now - last >= every;
