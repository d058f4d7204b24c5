/**
 * The IR's parameter order does not depend on the user's locale (dsl/text-order.ts): the same
 * program compiled under Czech, Danish, English and no locale orders its parameters alike, though
 * `localeCompare` sorts the same names differently under Czech ("cha" after "hb") and Danish ("aa"
 * last).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..');
const under = (lcAll: string): { locale: string; params: string[]; diagnostics: string[]; local: string[] } => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'test', 'helpers', 'text-order-child.ts')], {
    cwd: root,
    env: { ...process.env, LC_ALL: lcAll, LANG: lcAll },
    encoding: 'utf8',
  });
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) throw new Error(`no result from the child: ${out}`);
  return JSON.parse(line) as { locale: string; params: string[]; diagnostics: string[]; local: string[] };
};

describe('parameter order and the locale', () => {
  it('is the same under Czech, Danish, English and no locale', () => {
    const runs = ['cs_CZ.UTF-8', 'da_DK.UTF-8', 'en_US.UTF-8', 'C'].map(under);
    const en = runs[2]!;
    expect(en.diagnostics.filter((c) => c.startsWith('E'))).toEqual([]);
    expect(en.params).toEqual(['aab', 'ab', 'cha', 'hb', 'zz']);
    for (const r of runs) expect(r.params).toEqual(en.params);
    // The locales were really in force: their own collation orders these names otherwise.
    expect(runs[0]!.locale).toBe('cs-CZ');
    expect(runs[0]!.local).not.toEqual(en.local);
    expect(runs[1]!.local).not.toEqual(en.local);
  }, 60_000);
});
