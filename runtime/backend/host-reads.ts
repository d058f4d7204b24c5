// What in a program computes on the host in the middle of a step (or of the run), reading tensors synchronously:
// the webgpu backend cannot do that under Node (Dawn has no synchronous read), so the automatic
// choice passes it over for such programs and a forced webgpu refuses them before training.
import { children, type IRExpr, type IRProgram, type IRRule } from '../../compiler/ir.js';

/** Layers whose resampling runs as a JavaScript kernel (stdlib/layers/resample.ts). */
const hostLayers = new Set(['translate', 'rotate', 'shear']);

const layersIn = (e: IRExpr, out: Set<string>): Set<string> => {
  if (e.kind === 'layer' && hostLayers.has(e.layer)) out.add(e.layer);
  for (const c of children(e)) layersIn(c, out);
  return out;
};

const allRules = (ir: IRProgram): readonly IRRule[] => [
  ...ir.rules,
  ...ir.phases.flatMap((p) => p.rules),
  ...(ir.sweep?.body.rules ?? []),
  ...(ir.population?.body.rules ?? []),
  ...(ir.ensemble?.body.rules ?? []),
];

const because = (what: readonly string[]): string | undefined =>
  what.length === 0 ? undefined : `this program computes on the CPU mid-run (${what.join(', ')}), which the webgpu backend cannot read back synchronously under Node`;

const inSteps = (ir: IRProgram): string[] => {
  const rules = allRules(ir);
  const why: string[] = [];
  if (rules.some((r) => r.optimizer.name === 'newton')) why.push('the newton optimizer');
  if (rules.some((r) => r.implicit !== undefined)) why.push('an implicit-gradient update');
  const layers = new Set<string>();
  for (const r of rules) layersIn(r.loss, layers);
  if (layers.size > 0) why.push(`the ${[...layers].join(', ')} layer${layers.size === 1 ? '' : 's'}`);
  return why;
};

/** Why one step of the program reads values on the host, in the user's words; undefined when it doesn't. */
export const stepHostReads = (ir: IRProgram): string | undefined => because(inSteps(ir));

/** The same for the whole run: a population's exploit step also reads the perturbed hyperparameters. */
export const hostReads = (ir: IRProgram): string | undefined =>
  because([...inSteps(ir), ...(ir.population?.exploit !== undefined ? ["the population's exploit step"] : [])]);
