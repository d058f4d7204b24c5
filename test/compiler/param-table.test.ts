import { describe, expect, it } from 'vitest';
import { overlay, ParamTable } from '../../compiler/partitions/param-table.js';
import type { ParamRole } from '../../stdlib/types.js';

type P = { readonly role: ParamRole; readonly tag: string };

/** The definition the index replaces: a scan of every path. */
const scan = (paths: Iterable<string>, prefix: string): string[] => [...paths].filter((p) => p === prefix || p.startsWith(`${prefix}.`));

/** Deterministic pseudo-random paths over a small alphabet, so prefixes collide often. */
const randomPaths = (n: number, seed: number): string[] => {
  let s = seed;
  const next = (k: number): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % k;
  };
  const parts = ['net', 'net2', 'dense', 'dense1', 'w', 'b', 'ne', 'block'];
  return Array.from({ length: n }, () => Array.from({ length: 1 + next(4) }, () => parts[next(parts.length)]!).join('.'));
};

const prefixesOf = (paths: readonly string[]): string[] => [
  ...new Set(paths.flatMap((p) => p.split('.').map((_, i, xs) => xs.slice(0, i + 1).join('.')))),
  'nothing',
  'ne',
  'net.',
  '',
];

describe('ParamTable', () => {
  it('answers under(prefix) as a scan of every path would, in creation order', () => {
    const paths = randomPaths(300, 7);
    const t = new ParamTable<P>();
    paths.forEach((p, i) => t.set(p, { role: 'other', tag: String(i) }));
    const distinct = [...new Set(paths)];
    expect([...t.keys()]).toEqual(distinct);
    for (const prefix of prefixesOf(paths)) expect(t.under(prefix)).toEqual(scan(distinct, prefix));
  });

  it('keeps the place of a replaced entry and serves its new value', () => {
    const t = new ParamTable<P>([
      ['a.w', { role: 'weight', tag: '1' }],
      ['a.b', { role: 'bias', tag: '2' }],
    ]);
    t.set('a.w', { role: 'weight', tag: '3' });
    expect(t.under('a')).toEqual(['a.w', 'a.b']);
    expect(t.get('a.w')?.tag).toBe('3');
    expect(t.size).toBe(2);
  });
});

describe('overlay', () => {
  it('reads like new Map([...first, ...second]) without copying either', () => {
    const a = randomPaths(120, 3);
    const b = randomPaths(120, 11);
    const first = new ParamTable<P>(a.map((p) => [p, { role: 'weight', tag: 'first' }] as const));
    const second = new ParamTable<P>(b.map((p) => [p, { role: 'bias', tag: 'second' }] as const));
    const merged = new Map([...first, ...second]);
    const view = overlay(first, second);
    expect([...view.keys()]).toEqual([...merged.keys()]);
    for (const prefix of prefixesOf([...a, ...b])) expect(view.under(prefix)).toEqual(scan(merged.keys(), prefix));
    for (const p of merged.keys()) expect(view.get(p)?.tag).toBe(merged.get(p)?.tag);
    expect(view.has('no.such.path')).toBe(false);
  });
});
