/**
 * metrics.jsonl: one JSON object per report, `{step, epoch, member?, <name>: value, ...}`, and one
 * per population exploit, `{event: "exploit", step, from, to, scores, hyper}` (`event` first, so a
 * reader of reports skips it by its start).
 */
import { promises as fs } from 'node:fs';
import type { ReportRecord } from '../exec/member.js';
import type { ExploitEvent } from '../exec/pbt.js';
import { encodeNumber } from './numbers.js';

export const METRICS_FILE = 'metrics.jsonl';

/** Non-finite numbers are not JSON: they are written as the strings "NaN", "Infinity", "-Infinity" (as in checkpoints). */
export const recordLine = (r: ReportRecord): string =>
  JSON.stringify(
    {
      step: r.step,
      epoch: r.epoch,
      ...(r.member !== undefined ? { member: r.member } : {}),
      ...(r.memberSeed !== undefined ? { member_seed: r.memberSeed } : {}),
      ...(r.sweepValue !== undefined ? { sweep_value: r.sweepValue } : {}),
      ...(r.sweepValues !== undefined ? { sweep: r.sweepValues } : {}),
      ...r.values,
    },
    (_k, v: unknown) => (typeof v === 'number' ? encodeNumber(v) : v),
  );

export const EVENT_PREFIX = '{"event":';

/** Whether a metrics.jsonl line is an event (an exploit), not a report. */
export const isEventLine = (line: string): boolean => line.trimStart().startsWith(EVENT_PREFIX);

export const exploitLine = (e: ExploitEvent): string =>
  JSON.stringify({ event: 'exploit', step: e.step, from: e.from, to: e.to, scores: e.scores, hyper: e.hyper }, (_k, v: unknown) =>
    typeof v === 'number' ? encodeNumber(v) : v,
  );

export interface MetricsWriter {
  readonly write: (r: ReportRecord) => void;
  /** A population's exploit (a line of its own, counted with the records). */
  readonly event: (e: ExploitEvent) => void;
  /** Waits for every record written so far; rejects with the first write error (a full disk). */
  readonly flush: () => Promise<void>;
  /** The same as flush: the writer holds no handle. */
  readonly close: () => Promise<void>;
}

/**
 * Appends records in order; one write per record so that a crash loses at most the last line.
 * After a failed write nothing more is written (the lines would have a hole) and every flush
 * rejects with that failure, so the run stops instead of reporting into the void.
 */
export const metricsWriter = (file: string): MetricsWriter => {
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  let failed = false;
  const flush = async (): Promise<void> => {
    await chain;
    if (failed) throw failure;
  };
  const append = (line: string): void => {
    chain = chain.then(async () => {
      if (failed) return;
      try {
        await fs.appendFile(file, line + '\n');
      } catch (e) {
        failed = true;
        failure = e;
      }
    });
  };
  return {
    write: (r) => append(recordLine(r)),
    event: (e) => append(exploitLine(e)),
    flush,
    close: flush,
  };
};

/** The byte length of the first `n` complete lines of `buf` (all of them if it has fewer). */
const prefixBytes = (buf: Buffer, n: number): number => {
  let end = 0;
  for (let i = 0; i < n; i++) {
    const nl = buf.indexOf(0x0a, end);
    if (nl < 0) break;
    end = nl + 1;
  }
  return end;
};

/**
 * Keeps the first `n` records (those the checkpoint being resumed had seen), in place: truncating
 * needs no free space, so this works on a full disk too.
 */
export const truncateRecords = async (file: string, n: number): Promise<void> => {
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch {
    await fs.writeFile(file, '');
    return;
  }
  await fs.truncate(file, prefixBytes(buf, n));
};

/** Drops a half-written last line (a write cut short by a full disk), so every line parses. */
export const trimPartialLine = async (file: string): Promise<void> => {
  const buf = await fs.readFile(file).catch(() => undefined);
  if (buf === undefined || buf.length === 0 || buf[buf.length - 1] === 0x0a) return;
  await fs.truncate(file, buf.lastIndexOf(0x0a) + 1);
};
