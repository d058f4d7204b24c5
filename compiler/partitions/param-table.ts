/**
 * Parameters by path, with every dotted prefix indexed as entries are added, so that a selector
 * (`params(net)`, `net.block3`) costs the size of its answer, not the size of the program.
 */
import type { ParamRole } from '../../stdlib/types.js';

/** What a selector needs to know about the parameters: read-only, never copied. */
export interface ParamView<P extends { readonly role: ParamRole } = { readonly role: ParamRole }> {
  get(path: string): P | undefined;
  has(path: string): boolean;
  /** The paths equal to `prefix` or below it (`prefix.…`), in creation order. */
  under(prefix: string): readonly string[];
  /** Every path, in creation order. */
  keys(): IterableIterator<string>;
}

const none: readonly string[] = [];

export class ParamTable<P extends { readonly role: ParamRole }> implements ParamView<P> {
  private readonly entries = new Map<string, P>();
  private readonly byPrefix = new Map<string, string[]>();

  constructor(from?: Iterable<readonly [string, P]>) {
    if (from !== undefined) for (const [k, v] of from) this.set(k, v);
  }

  get size(): number {
    return this.entries.size;
  }

  get(path: string): P | undefined {
    return this.entries.get(path);
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  /** Adds or replaces an entry; a replaced entry keeps its place in creation order. */
  set(path: string, entry: P): this {
    if (!this.entries.has(path)) {
      for (let i = path.indexOf('.'); i >= 0; i = path.indexOf('.', i + 1)) this.index(path.slice(0, i), path);
      this.index(path, path);
    }
    this.entries.set(path, entry);
    return this;
  }

  under(prefix: string): readonly string[] {
    return this.byPrefix.get(prefix) ?? none;
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  values(): IterableIterator<P> {
    return this.entries.values();
  }

  [Symbol.iterator](): IterableIterator<[string, P]> {
    return this.entries.entries();
  }

  private index(prefix: string, path: string): void {
    const list = this.byPrefix.get(prefix);
    if (list === undefined) this.byPrefix.set(prefix, [path]);
    else list.push(path);
  }
}

/**
 * `first` then `second` as one table, without copying: an entry of `second` wins for `get`, and a
 * path of `second` that `first` lacks comes after all of `first`'s (the order of
 * `new Map([...first, ...second])`).
 */
export const overlay = <P extends { readonly role: ParamRole }>(first: ParamView<P>, second: ParamView<P>): ParamView<P> => ({
  get: (path) => second.get(path) ?? first.get(path),
  has: (path) => second.has(path) || first.has(path),
  under: (prefix) => {
    const a = first.under(prefix);
    const b = second.under(prefix);
    if (a.length === 0) return b;
    const extra = b.filter((p) => !first.has(p));
    return extra.length === 0 ? a : [...a, ...extra];
  },
  keys: function* () {
    yield* first.keys();
    for (const k of second.keys()) if (!first.has(k)) yield k;
  },
});

/** `view`, calling `onRead` whenever anything is read from it. */
export const watched = <P extends { readonly role: ParamRole }>(view: ParamView<P>, onRead: () => void): ParamView<P> => ({
  get: (path) => {
    onRead();
    return view.get(path);
  },
  has: (path) => {
    onRead();
    return view.has(path);
  },
  under: (prefix) => {
    onRead();
    return view.under(prefix);
  },
  keys: () => {
    onRead();
    return view.keys();
  },
});
