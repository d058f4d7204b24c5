/** `runProgram` on small programs written to a temp folder (removed after the test file). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll } from 'vitest';
import { renderAll } from '../../cli/commands/run.js';
import { runProgram, type RunIO, type RunOptions } from '../../runtime/run.js';
import { standardLibrary } from '../../stdlib/registry.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

export const workspace = (files: Record<string, string>): string => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'xreg-runf-'));
  dirs.push(d);
  for (const [k, v] of Object.entries(files)) writeFileSync(path.join(d, k), v);
  return d;
};

export const go = async (o: Partial<RunOptions> & { file: string }, extra: Partial<RunIO> = {}) => {
  const info: string[] = [];
  const errors: string[] = [];
  const code = await runProgram(
    { registry: standardLibrary, set: {}, checkpointEvery: 1000, argv: ['run', o.file], ...o },
    { info: (l) => info.push(l), error: (l) => errors.push(l), renderDiagnostics: renderAll, ...extra },
  );
  return { code, info, errors };
};


/** The lines of a run folder's metrics.jsonl, parsed, without their wall-clock fields. */
export const metricsLines = (dir: string): Record<string, unknown>[] =>
  readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const r = JSON.parse(l) as Record<string, unknown>;
      delete r['time'];
      delete r['seconds'];
      return r;
    });
