/**
 * `xreg check` reads no data, except the header row of a `csv(...)` without `features:`: its
 * width is what the program's shapes are checked against, so `param w : Tensor[3]` against a
 * file of 10 feature columns is a located error here (E0230) rather than a failed run.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { IRProgram } from '../compiler/ir.js';
import { Codes } from '../compiler/codes.js';
import { error, type Diagnostic } from '../dsl/diagnostic.js';
import { dataShapeMismatch } from '../runtime/exec/check-shapes.js';
import { resolveDataPathSync } from '../stdlib/data/files.js';

/** The first line of a (possibly gzipped) text file; undefined when it cannot be read. */
const firstLine = (file: string): string | undefined => {
  try {
    if (file.endsWith('.gz')) return gunzipSync(readFileSync(file)).toString('utf8').split(/\r?\n/, 1)[0];
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(64 * 1024);
      const n = readSync(fd, buf, 0, buf.length, 0);
      return buf.subarray(0, n).toString('utf8').split(/\r?\n/, 1)[0];
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
};

/** Data set name → its feature width read from the header, for each csv without `features:`. */
export const csvWidths = (ir: IRProgram): Map<string, { width: number; file: string }> => {
  const out = new Map<string, { width: number; file: string }>();
  for (const d of ir.data) {
    const p = d.args['path'];
    if (d.loader !== 'csv' || typeof p !== 'string' || (typeof d.args['features'] === 'number' && d.args['features'] > 0)) continue;
    const file = resolveDataPathSync(p, path.dirname(path.resolve(ir.file)));
    const header = firstLine(file);
    // an unreadable file or one without its target is the run's error to report, with the file's own words
    if (header === undefined || !header.split(',').map((c) => c.trim()).includes(String(d.args['target'] ?? 'y'))) continue;
    out.set(d.name, { width: header.split(',').length - 1, file: p });
  }
  return out;
};

export const csvWidthDiagnostics = (ir: IRProgram): Diagnostic[] => {
  const widths = csvWidths(ir);
  if (widths.size === 0) return [];
  const m = dataShapeMismatch(ir, (u) => {
    const w = widths.get(u.data)?.width;
    return w === undefined ? undefined : u.field === 'x' ? [w] : u.field === 'y' ? [] : undefined;
  });
  if (m === undefined) return [];
  const w = widths.get(m.use.data);
  const decl = ir.data.find((d) => d.name === m.use.data);
  const expected = m.expected.join(', ');
  return [
    {
      ...error(
        Codes.dataWidth,
        `${w?.file ?? 'the file'} has ${m.loaded.join(', ')} feature columns, but the program uses ${m.use.field} of ${m.use.data} as ${expected === '' ? 'one number' : `[${expected}]`} per example`,
        m.at ?? m.use.span,
        `make the program's width ${m.loaded.join(', ')} (e.g. param w : Tensor[${m.loaded.join(', ')}]), or read another file`,
      ),
      ...(decl === undefined ? {} : { related: [{ span: decl.span, message: `${m.use.data} is read here; its width comes from the file's header` }] }),
    },
  ];
};
