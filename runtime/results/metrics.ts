/**
 * metrics.jsonl: one JSON object per report, `{step, epoch, member?, <name>: value, ...}`, and one
 * per population exploit, `{event: "exploit", step, from, to, scores, hyper}` (`event` first, so a
 * reader of reports skips it by its start).
 */
import { promises as fs } from 'node:fs';
import type { ReportRecord } from '../exec/member.js';
import type { ExploitEvent } from '../exec/pbt.js';

export const METRICS_FILE = 'metrics.jsonl';

/** Non-finite numbers are not JSON: they are written as null. */
export const recordLine = (r: ReportRecord): string =>
  JSON.stringify({ step: r.step, epoch: r.epoch, ...(r.member !== undefined ? { member: r.member } : {}), ...r.values }, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );

export const EVENT_PREFIX = '{"event":';

/** Whether a metrics.jsonl line is an event (an exploit), not a report. */
export const isEventLine = (line: string): boolean => line.trimStart().startsWith(EVENT_PREFIX);

export const exploitLine = (e: ExploitEvent): string =>
  JSON.stringify({ event: 'exploit', step: e.step, from: e.from, to: e.to, scores: e.scores, hyper: e.hyper }, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );

/** Appends records in order; one write per record so that a crash loses at most the last line. */
export const metricsWriter = (file: string): { write: (r: ReportRecord) => void; event: (e: ExploitEvent) => void; close: () => Promise<void> } => {
  let chain: Promise<void> = Promise.resolve();
  const append = (line: string): void => {
    chain = chain.then(() => fs.appendFile(file, line + '\n'));
  };
  return {
    write: (r) => append(recordLine(r)),
    event: (e) => append(exploitLine(e)),
    close: () => chain,
  };
};

/** Keeps the first `n` records (those the checkpoint being resumed had seen). */
export const truncateRecords = async (file: string, n: number): Promise<void> => {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    text = '';
  }
  const lines = text.split('\n').filter((l) => l.length > 0).slice(0, n);
  await fs.writeFile(file, lines.map((l) => l + '\n').join(''));
};
