/**
 * Whether elaboration needs its discovery pass. That first pass exists for two things only:
 * selectors inside expressions (`flat(params(net))`, `net.dense.w`, a partition's name) must see
 * model parameters created by declarations further down, and a symbolic data dimension (a CSV's
 * width) may be bound by a declaration further down. A program with neither gets the same result
 * from one pass, and the pass is half of compiling.
 */
import type { Schema } from '../../stdlib/types.js';
import { roleSelectors } from '../partitions/selectors.js';
import type { PlacedDecl } from '../resolve/imports.js';

/** The fields whose selectors are read by `selectParams` against the finished parameters, not elaborated. */
const targetOnly = new Set(['Update', 'Freeze']);

/** Whether an AST subtree may mention parameters by selector; errs towards yes. */
const mayUseSelectors = (node: unknown): boolean => {
  if (Array.isArray(node)) return node.some(mayUseSelectors);
  if (typeof node !== 'object' || node === null) return false;
  const kind = 'kind' in node ? node.kind : undefined;
  if (kind === 'Member' || kind === 'Partition') return true;
  if (kind === 'Call' && 'callee' in node) {
    const c = node.callee;
    if (typeof c === 'object' && c !== null && 'name' in c && typeof c.name === 'string' && roleSelectors[c.name] !== undefined) return true;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === 'span' || (k === 'target' && typeof kind === 'string' && targetOnly.has(kind))) continue;
    if (typeof v === 'object' && v !== null && mayUseSelectors(v)) return true;
  }
  return false;
};

const symbolicDims = (schemas: ReadonlyMap<string, Schema>): boolean =>
  [...schemas.values()].some((s) => Object.values(s).some((f) => f.shape.some((d) => typeof d === 'string')));

export const needsDiscovery = (decls: readonly PlacedDecl[], schemas: ReadonlyMap<string, Schema>): boolean =>
  symbolicDims(schemas) || decls.some((p) => mayUseSelectors(p.decl));
