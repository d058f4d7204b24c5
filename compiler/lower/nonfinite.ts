/**
 * Where a non-finite value came from: the expression compiled again with a probe after every node,
 * evaluated once, and the first node (children before parents, left before right) whose value holds
 * a NaN or ±Infinity named. Built and run only when a run has diverged on a reported loss, so the
 * step itself pays nothing; the flags are read back asynchronously (webgpu has no synchronous read).
 */
import * as E from 'fp-ts/lib/Either.js';
import { tf } from '../../stdlib/tf.js';
import type { Registry } from '../../stdlib/registry.js';
import type { Span } from '../../dsl/span.js';
import type { IRExpr } from '../ir.js';
import { compileExpr, type Env, type SweepValues } from './eval.js';
import { nodeWords } from './located.js';

export interface NonFiniteOrigin {
  readonly span: Span;
  /** The expression in the program's words (`the call exp(…)`). */
  readonly what: string;
}

export const firstNonFinite = (e: IRExpr, registry: Registry, sweep: SweepValues) => async (env: Env): Promise<NonFiniteOrigin | undefined> => {
  const flags: { readonly node: IRExpr; readonly ok: tf.Tensor }[] = [];
  const probed = compileExpr(e, registry, sweep, (node, v) => {
    if (v.dtype === 'float32') flags.push({ node, ok: tf.keep(tf.all(tf.isFinite(v))) });
  });
  if (E.isLeft(probed)) return undefined;
  try {
    tf.tidy(() => {
      probed.right(env);
    });
    for (const f of flags) {
      const ok = (await f.ok.data())[0];
      if (ok === 0) return { span: f.node.span, what: nodeWords(f.node) };
    }
    return undefined;
  } finally {
    tf.dispose(flags.map((f) => f.ok));
  }
};
