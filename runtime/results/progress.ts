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
  readonly seconds: number;
  readonly epoch: number;
  /** `member 3/20 ` when there are several, else empty. */
  readonly member: string;
  readonly latest: string;
}

/** Steps measured before an ETA is shown: the first steps include warm-up (kernel set-up, first reads). */
export const ETA_AFTER = 3;

/** Seconds left at the session's average speed so far; NaN (shown `?`) until `ETA_AFTER` steps ran. */
export const etaSeconds = (p: Pick<ProgressPoint, 'done' | 'total' | 'startedAt' | 'seconds'>): number => {
  const ran = p.done - p.startedAt;
  if (p.done >= p.total) return 0;
  return ran < ETA_AFTER || p.seconds <= 0 ? NaN : ((p.total - p.done) * p.seconds) / ran;
};

/** One plain progress line: `step 120/6000 (2%) epoch 0 | 41.2 steps/s | ETA 2m 23s | fit 0.1234`. */
export const progressLine = (p: ProgressPoint): string => {
  const ran = p.done - p.startedAt;
  const rate = p.seconds > 0 ? ran / p.seconds : NaN;
  const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 0;
  const speed = !Number.isFinite(rate) ? '' : rate >= 1 ? ` | ${rate.toFixed(1)} steps/s` : ` | ${(1 / rate).toFixed(1)} s/step`;
  return `${p.member}step ${p.done}/${p.total} (${pct}%) epoch ${p.epoch}${speed} | ETA ${formatSeconds(etaSeconds(p))}${p.latest !== '' ? ` | ${p.latest}` : ''}`;
};

/** Whether a plain line is due: the first step, the last, and otherwise at most every `every` ms. */
export const lineDue = (now: number, last: number | undefined, done: number, total: number, every = 5000): boolean =>
  last === undefined || done >= total || now - last >= every;
