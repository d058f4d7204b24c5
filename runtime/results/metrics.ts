/** metrics.jsonl: one JSON object per report, `{step, epoch, member?, <name>: value, ...}`. */
import { promises as fs } from 'node:fs';
import type { ReportRecord } from '../exec/member.js';

export const METRICS_FILE = 'metrics.jsonl';

/** Non-finite numbers are not JSON: they are written as null. */
export const recordLine = (r: ReportRecord): string =>
  JSON.stringify({ step: r.step, epoch: r.epoch, ...(r.member !== undefined ? { member: r.member } : {}), ...r.values }, (_k, v: unknown) =>
    typeof v === 'number' && !Number.isFinite(v) ? null : v,
  );

/** Appends records in order; one write per record so that a crash loses at most the last line. */
export const metricsWriter = (file: string): { write: (r: ReportRecord) => void; close: () => Promise<void> } => {
  let chain: Promise<void> = Promise.resolve();
  return {
    write: (r) => {
      const line = recordLine(r) + '\n';
      chain = chain.then(() => fs.appendFile(file, line));
    },
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
