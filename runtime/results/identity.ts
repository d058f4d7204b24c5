/**
 * What a checkpoint belongs to: every source file the program reads (the main file and its
 * imports, each by its token stream, so comments and spacing may change; its plugins, by the code
 * they run) and every data file
 * (by size and modification time: hashing gigabytes at each resume would cost more than it saves).
 * A resume with any of them changed would continue a different experiment.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { lex } from '../../dsl/lexer.js';
import type { IRProgram } from '../../compiler/ir.js';
import { resolveDataPath } from '../../stdlib/data/files.js';

export interface SourceId {
  readonly path: string;
  /**
   * SHA-256 of the file's tokens (kind and text), comments and whitespace left out; for a plugin, of
   * the code it runs (cli/plugins/load.ts: its bundle minified, which also leaves comments and spacing out).
   */
  readonly tokens: string;
}

export interface DataId {
  readonly path: string;
  readonly size: number;
  readonly mtime: string;
}

export const tokenHash = (text: string, file: string): string => {
  const h = createHash('sha256');
  for (const t of lex(text, file).tokens) h.update(`${t.tokenType.name}\u0000${t.image}\u0001`);
  return h.digest('hex');
};

/** The files a data declaration names (string arguments that exist; a folder's files one level down). */
export const dataIds = async (ir: IRProgram, baseDir = path.dirname(path.resolve(ir.file))): Promise<DataId[]> => {
  const out: DataId[] = [];
  const add = async (p: string): Promise<void> => {
    const st = await fs.stat(p).catch(() => undefined);
    if (st === undefined) return;
    if (st.isFile()) out.push({ path: p, size: st.size, mtime: st.mtime.toISOString() });
    else if (st.isDirectory()) {
      const names = (await fs.readdir(p).catch(() => [] as string[])).sort();
      for (const n of names) {
        const s2 = await fs.stat(path.join(p, n)).catch(() => undefined);
        if (s2?.isFile() === true) out.push({ path: path.join(p, n), size: s2.size, mtime: s2.mtime.toISOString() });
      }
    }
  };
  for (const d of ir.data) for (const v of Object.values(d.args)) if (typeof v === 'string') await add(await resolveDataPath(v, baseDir));
  return out;
};

/** One hash over all of them: the checkpoint's `program` field. */
export const identityHash = (sources: readonly SourceId[], data: readonly DataId[]): string =>
  createHash('sha256').update(JSON.stringify({ sources: sources.map((s) => s.tokens), data: data.map((d) => [path.basename(d.path), d.size, d.mtime]) })).digest('hex');

/** What changed between the identities a run was started with and now, in words; empty: nothing. */
export const identityChanges = (
  before: { readonly sources?: readonly SourceId[]; readonly data?: readonly DataId[] },
  now: { readonly sources: readonly SourceId[]; readonly data: readonly DataId[] },
): string[] => {
  const out: string[] = [];
  const was = new Map((before.sources ?? []).map((s) => [s.path, s.tokens]));
  for (const s of now.sources) {
    const t = was.get(s.path);
    if (t === undefined) out.push(`${s.path} is read now but was not then`);
    else if (t !== s.tokens) out.push(`${s.path} changed (more than comments or spacing)`);
  }
  const dwas = new Map((before.data ?? []).map((d) => [d.path, d]));
  for (const d of now.data) {
    const b = dwas.get(d.path);
    if (b === undefined) out.push(`data file ${d.path} is read now but was not then`);
    else if (b.size !== d.size || b.mtime !== d.mtime) out.push(`data file ${d.path} changed (size ${b.size} → ${d.size}, modified ${b.mtime} → ${d.mtime})`);
  }
  return out;
};
