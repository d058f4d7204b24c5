/**
 * Whether a folder already holds a run, and clearing one for `--force`: a new run never deletes a
 * finished run's results unless asked to.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CHECKPOINT_FILE, SELECTED_DIR } from '../checkpoint/store.js';
import { MANIFEST_FILE } from '../results/manifest.js';
import { METRICS_FILE } from '../results/metrics.js';

/** The files that make a folder a run folder (what a new run would overwrite). */
export const RUN_FILES = [MANIFEST_FILE, METRICS_FILE, CHECKPOINT_FILE] as const;

export const heldRunFiles = async (dir: string): Promise<string[]> => {
  const found: string[] = [];
  for (const f of RUN_FILES) if ((await fs.stat(path.join(dir, f)).catch(() => undefined)) !== undefined) found.push(f);
  return found;
};

/** Removes what a previous run left (`--force`); other files in the folder are the user's. */
export const clearRun = async (dir: string): Promise<void> => {
  for (const f of RUN_FILES) await fs.rm(path.join(dir, f), { force: true });
  await fs.rm(path.join(dir, SELECTED_DIR), { recursive: true, force: true });
};
