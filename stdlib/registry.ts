/**
 * The standard library as one lookup table. The compiler resolves every call in a program that is
 * not a language form against a registry; users extend the language by building a registry with
 * more entries (`extendRegistry`).
 */
import type { LibraryEntry } from './types.js';
import { layers } from './layers/index.js';
import { functions } from './functions/index.js';
import { optimizers } from './optimizers/index.js';
import { loaders, transforms } from './data/index.js';

export interface Registry {
  readonly entries: ReadonlyMap<string, LibraryEntry>;
  /** For entries a plugin added: the plugin's file (hover and messages say where a name comes from). */
  readonly origins?: ReadonlyMap<string, string>;
  /** Each plugin loaded, with the hash of the code it runs (part of a run's identity, for resume). */
  readonly plugins?: readonly { readonly file: string; readonly hash: string }[];
}

export const makeRegistry = (entries: readonly LibraryEntry[]): Registry => {
  const map = new Map<string, LibraryEntry>();
  for (const e of entries) {
    if (map.has(e.name)) throw new Error(`standard library: '${e.name}' is defined twice`);
    map.set(e.name, e);
  }
  return { entries: map };
};

export const extendRegistry = (base: Registry, more: readonly LibraryEntry[]): Registry =>
  makeRegistry([...base.entries.values(), ...more]);

export const lookup = (r: Registry, name: string): LibraryEntry | undefined => r.entries.get(name);

export const standardLibrary: Registry = makeRegistry([
  ...layers,
  ...functions,
  ...optimizers,
  ...loaders,
  ...transforms,
]);
