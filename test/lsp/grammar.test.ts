/**
 * editors/vscode: the TextMate grammar knows every keyword the lexer has (a keyword added to the
 * language without the grammar would be shown as a plain name), its patterns are valid regular
 * expressions that mark what they claim on real programs, and the extension's manifest points at
 * files that exist.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keywordNames } from '../../dsl/lexer.js';
import { declKeywords } from '../../dsl/parser.js';

const dir = 'editors/vscode';
interface Pattern {
  readonly match?: string;
  readonly begin?: string;
  readonly name?: string;
}
const grammar = JSON.parse(readFileSync(path.join(dir, 'syntaxes', 'xreg.tmLanguage.json'), 'utf8')) as { scopeName: string; repository: Record<string, Pattern> };
// TextMate patterns are Oniguruma, matched line by line; the ones used here are also JavaScript regular expressions.
const re = (name: string): RegExp => new RegExp(grammar.repository[name]?.match ?? '(?!)', 'gm');

describe('the TextMate grammar', () => {
  it('marks every keyword of the lexer, and only the declaration keywords at the start of a line as declarations', () => {
    for (const k of keywordNames.filter((k) => k !== 'true' && k !== 'false')) expect(`${k} x`.match(re('keyword'))?.[0], k).toBe(k);
    for (const k of ['true', 'false']) expect(k.match(re('constant'))?.[0]).toBe(k);
    for (const k of declKeywords) expect(new RegExp(grammar.repository['declaration']?.match ?? '').exec(`${k} thing = 1`)?.[2], k).toBe('thing');
    expect(new RegExp(grammar.repository['declaration']?.match ?? '').exec('  over train')).toBeNull();
  });

  it('on a real program: comments, strings, numbers, calls', () => {
    const text = readFileSync('examples/plugin/orthogonal.xreg', 'utf8');
    expect(text.match(re('comment'))?.length).toBe(text.split('\n').filter((l) => l.startsWith('#')).length);
    expect(text.match(re('call'))).toEqual(expect.arrayContaining(['orthogonality', 'gated', 'signum', 'correlated_features']));
    expect(text.match(re('number'))).toEqual(expect.arrayContaining(['0.003', '300']));
    expect(new RegExp(grammar.repository['string']?.begin ?? '').test('plugin "./plugin.ts"')).toBe(true);
  });

  it('the extension manifest names the grammar, the language configuration and the entry point', () => {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      main: string;
      contributes: { languages: { extensions: string[]; configuration: string }[]; grammars: { scopeName: string; path: string }[] };
    };
    expect(pkg.contributes.languages[0]?.extensions).toEqual(['.xreg']);
    expect(pkg.contributes.grammars[0]?.scopeName).toBe(grammar.scopeName);
    for (const f of [pkg.main, pkg.contributes.grammars[0]?.path ?? '', pkg.contributes.languages[0]?.configuration ?? '']) expect(existsSync(path.join(dir, f)), f).toBe(true);
    expect(readFileSync(path.join(dir, pkg.main), 'utf8')).toContain("'lsp', '--stdio'");
  });
});
