/**
 * Gathers the declarations of a program and of every file it imports (relative `.xreg` paths,
 * read through an injected reader), detecting cycles. Bodies of phases, sweeps, ensembles and
 * populations are flattened too, each declaration tagged with the block that holds it.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Decl, Program } from '../../dsl/ast.js';
import { error, type Diagnostic } from '../../dsl/diagnostic.js';
import { Codes } from '../codes.js';

/** The block a declaration stands in; `parent` is the block around that one (an ensemble inside a sweep). */
export type Container =
  | { readonly kind: 'top' }
  | { readonly kind: 'phase'; readonly index: number; readonly name: string; readonly parent?: Container }
  | { readonly kind: 'sweep'; readonly variable: string; readonly parent?: Container }
  | { readonly kind: 'ensemble'; readonly parent?: Container }
  | { readonly kind: 'population'; readonly parent?: Container };

/** The sweep variables a declaration in `c` may read: those of every sweep around it, outermost first. */
export const sweepVariables = (c: Container): string[] =>
  c.kind === 'top' ? [] : [...(c.parent === undefined ? [] : sweepVariables(c.parent)), ...(c.kind === 'sweep' ? [c.variable] : [])];

/** Whether `c` is `kind` or lies inside a block of that kind. */
export const within = (c: Container, kind: Container['kind']): boolean => c.kind === kind || (c.kind !== 'top' && c.parent !== undefined && within(c.parent, kind));

export interface PlacedDecl {
  readonly decl: Decl;
  /** Import alias the declaration lives under (`blocks` for `import "b.xreg" as blocks`), or ''. */
  readonly ns: string;
  readonly container: Container;
}

export type ReadFile = (path: string) => E.Either<string, string>;
export type ParseFn = (text: string, file: string) => { readonly program: Program; readonly diagnostics: readonly Diagnostic[] };

const dirname = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i + 1);
};

/** Joins a relative import onto the importing file's folder, folding `.` and `..`. */
export const joinPath = (from: string, rel: string): string => {
  if (rel.startsWith('/')) return rel;
  const parts = (dirname(from) + rel).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '.' || part === '') {
      if (out.length === 0 && part === '') out.push('');
      continue;
    }
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..' && out[out.length - 1] !== '') out.pop();
    else out.push(part);
  }
  return out.join('/');
};

export const gatherDecls = (
  program: Program,
  readFile: ReadFile,
  parse: ParseFn,
): { decls: PlacedDecl[]; diagnostics: Diagnostic[] } => {
  const decls: PlacedDecl[] = [];
  const diagnostics: Diagnostic[] = [];
  const done = new Set<string>();
  let phaseIndex = 0;

  const place = (ds: readonly Decl[], file: string, ns: string, container: Container, stack: readonly string[]): void => {
    for (const d of ds) {
      switch (d.kind) {
        case 'Import': {
          const target = joinPath(file, d.path.value);
          if (stack.includes(target)) {
            diagnostics.push(error(Codes.importCycle, `import cycle: ${[...stack.slice(stack.indexOf(target)), target].join(' -> ')}`, d.path.span));
            break;
          }
          const key = `${target}#${d.alias?.name ?? ''}`;
          if (done.has(key)) break;
          done.add(key);
          // Never read (and so never echo) a file that is not a program: `import "/etc/passwd"`.
          if (!target.endsWith('.xreg')) {
            diagnostics.push(error(Codes.importNotXreg, `cannot import "${d.path.value}": only .xreg files can be imported`, d.path.span));
            break;
          }
          const text = readFile(target);
          if (E.isLeft(text)) {
            diagnostics.push(error(Codes.importRead, `cannot import "${d.path.value}": ${text.left}`, d.path.span));
            break;
          }
          const parsed = parse(text.right, target);
          diagnostics.push(...parsed.diagnostics);
          const childNs = d.alias === undefined ? ns : ns === '' ? d.alias.name : `${ns}.${d.alias.name}`;
          place(parsed.program.decls, target, childNs, container, [...stack, target]);
          break;
        }
        case 'Phase': {
          const c: Container = { kind: 'phase', index: phaseIndex++, name: d.name.name, ...(container.kind === 'top' ? {} : { parent: container }) };
          decls.push({ decl: d, ns, container });
          place(d.body, file, ns, c, stack);
          break;
        }
        case 'Sweep':
        case 'Ensemble':
        case 'Population': {
          decls.push({ decl: d, ns, container });
          const parent = container.kind === 'top' ? {} : { parent: container };
          const inner: Container =
            d.kind === 'Sweep' ? { kind: 'sweep', variable: d.variable.name, ...parent } : { kind: d.kind === 'Ensemble' ? 'ensemble' : 'population', ...parent };
          place(d.body, file, ns, inner, stack);
          break;
        }
        default:
          decls.push({ decl: d, ns, container });
      }
    }
  };
  place(program.decls, program.file, '', { kind: 'top' }, [program.file]);
  return { decls, diagnostics };
};
