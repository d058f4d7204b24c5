/**
 * Hostile and clumsy input: never a stack overflow, never a hang, never unbounded memory. Each
 * case is checked for the located error it must give, and for finishing at all.
 */
import * as E from 'fp-ts/lib/Either.js';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compileText } from '../../compiler/compile.js';
import { parseProgram } from '../../dsl/parse.js';
import { childrenOf, MAX_EXPR_DEPTH, type Spanned } from '../../dsl/limits.js';
import { readSourceSync } from '../../dsl/read-source.js';
import { parseNumericCsv } from '../../stdlib/data/csv_parse.js';
import { maybeGunzip } from '../../stdlib/data/files.js';
import { MI, readMat5 } from '../../stdlib/data/mat5.js';
import { matFile } from '../data/helpers.js';
import { go, workspace } from '../helpers/run-program.js';

const H = `data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 60, seed: 1)
split d { train: 1/2, reg: 1/2 } seed 0
param w : Tensor[4] = 0
`;
const tail = `update w by sgd(lr: 0.1) on fit\nrun 10 steps\n`;
const codes = (text: string): string[] => compileText(text, 'h.xreg').diagnostics.map((d) => d.code);

describe('deep and long programs end in one located error, never a stack overflow', () => {
  const cases: readonly [string, string][] = [
    ['700 nested parentheses', `${H}loss fit = mse(${'('.repeat(700)}x @ w${')'.repeat(700)}, y) over train\n${tail}`],
    ['a pipeline of 6,000 stages', `${H}loss fit = mse(x @ w${' |> relu'.repeat(6000)}, y) over train\n${tail}`],
    ['a one-line sum of 20,000 terms', `${H}loss fit = mse(x @ w, y)${' + l2(w)'.repeat(20000)} over train\n${tail}`],
    ['5,000 unary minuses', `${H}loss fit = mse(${'-'.repeat(5000)}(x @ w), y) over train\n${tail}`],
    ['a right-nested power tower of 5,000', `${H}loss fit = mse(x @ w, y) + ${'2 ^ '.repeat(5000)}2 * l2(w) over train\n${tail}`],
    ['nested lists 1,000 deep', `let a = ${'['.repeat(1000)}1${']'.repeat(1000)}\n${H}loss fit = mse(x @ w, y) over train\n${tail}`],
  ];
  for (const [what, text] of cases) {
    it(what, () => {
      expect(codes(text)).toContain('E0700');
    });
  }

  it('just under the limits compiles (the limits do not cut real programs short)', () => {
    expect(codes(`${H}loss fit = mse(${'('.repeat(60)}x @ w${')'.repeat(60)}, y) over train\n${tail}`)).toEqual([]);
    expect(codes(`${H}loss fit = mse(x @ w${' |> relu'.repeat(200)}, y) over train\n${tail}`)).toEqual([]);
    // Many powers in a sum are not a chain.
    expect(codes(`${H}loss fit = mse(x @ w, y)${' + l2(w) ^ 2'.repeat(100)} over train\n${tail}`)).toEqual([]);
  });

  it('every program in programs/ is far below the expression depth limit (measured)', () => {
    const root = path.resolve(import.meta.dirname, '../../programs');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.xreg'));
    expect(files.length).toBeGreaterThan(10);
    let deepest = 0;
    for (const f of files) {
      const { program } = parseProgram(readFileSync(path.join(root, f), 'utf8'), f);
      const stack: [Spanned, number][] = program.decls.map((d) => [d, 0]);
      while (stack.length > 0) {
        const [n, d] = stack.pop() as [Spanned, number];
        deepest = Math.max(deepest, d);
        for (const [c, extra] of childrenOf(n)) stack.push([c, d + extra]);
      }
    }
    expect(deepest).toBeLessThan(MAX_EXPR_DEPTH / 4);
  });
});

describe('special files as programs, imports and data', () => {
  it('/dev/zero and a FIFO as a program are refused by file type, at once', () => {
    const d = workspace({});
    const fifo = path.join(d, 'p.xreg');
    spawnSync('mkfifo', [fifo]);
    expect(readSourceSync('/dev/zero')).toEqual(E.left(expect.stringMatching(/not a regular file/)));
    expect(readSourceSync(fifo)).toEqual(E.left(expect.stringMatching(/not a regular file/)));
  });

  it('a FIFO imported as .xreg is refused by file type', async () => {
    const d = workspace({ 'main.xreg': `import "lib.xreg"\n${H}loss fit = mse(x @ w, y) over train\n${tail}` });
    spawnSync('mkfifo', [path.join(d, 'lib.xreg')]);
    const r = await go({ file: path.join(d, 'main.xreg'), out: path.join(d, 'out') });
    expect(r.code).toBe(1);
    expect(r.errors.join('\n')).toMatch(/E0207.*cannot import "lib\.xreg": .*lib\.xreg: is not a regular file/s);
  });

  it('/dev/zero and a FIFO as CSV data are refused by file type, not read forever', async () => {
    for (const src of ['/dev/zero', 'fifo.csv']) {
      const d = workspace({ 'p.xreg': `data d = csv("${src}", target: "y")\nsplit d { train: 0.5, reg: 0.5 } seed 0\nparam w : Tensor[3] = 0\nloss fit = mse(x @ w, y) over train\n${tail}` });
      if (src === 'fifo.csv') spawnSync('mkfifo', [path.join(d, src)]);
      const r = await go({ file: path.join(d, 'p.xreg'), out: path.join(d, 'out') });
      expect(r.code).toBe(1);
      expect(r.errors.join('\n')).toMatch(/not a regular file \(a device, pipe or socket\)/);
    }
  });
});

describe('size caps before allocating', () => {
  it('a gzip bomb stops at the cap while decompressing', () => {
    const bomb = gzipSync(Buffer.alloc(8 * 2 ** 20), { level: 9 });
    expect(bomb.length).toBeLessThan(20_000);
    const r = maybeGunzip('bomb.csv.gz', bomb, 2 ** 20);
    expect(E.isLeft(r) && r.left.message).toMatch(/decompresses to more than 1 MiB .*stopped there/);
    // Under the cap the same data passes.
    expect(E.isRight(maybeGunzip('ok.csv.gz', bomb, 16 * 2 ** 20))).toBe(true);
  });

  it("a MAT-file's compressed elements stop at the cap while inflating, counted over all of them", () => {
    const element = (bytes: Buffer): Buffer => {
      const z = deflateSync(bytes, { level: 9 });
      const tag = Buffer.alloc(8);
      tag.writeUInt32LE(MI.COMPRESSED, 0);
      tag.writeUInt32LE(z.length, 4);
      return Buffer.concat([tag, z]);
    };
    const header = matFile([], false);
    const bomb = Buffer.concat([header, element(Buffer.alloc(8 * 2 ** 20))]);
    expect(bomb.length).toBeLessThan(20_000);
    expect(readMat5(bomb, 2 ** 20)).toEqual(E.left('inflates to more than 1 MiB (the most a data file may hold); stopped there'));
    // Three elements of 0.5 MiB each pass one by one, but not together under a 1 MiB cap.
    const three = Buffer.concat([header, ...[1, 2, 3].map(() => element(Buffer.alloc(2 ** 19)))]);
    expect(E.isLeft(readMat5(three, 2 ** 20))).toBe(true);
    // Under the cap both read (their contents are no matrices, so no variables).
    expect(readMat5(bomb, 16 * 2 ** 20)).toEqual(E.right([]));
    expect(readMat5(three, 16 * 2 ** 20)).toEqual(E.right([]));
  });
});

describe('CSV cells and headers', () => {
  it('a quoted header cell may hold a comma', () => {
    const t = parseNumericCsv('q.csv', '"income, net",y\n1,2\n3,4\n', { header: true });
    expect(E.isRight(t) && t.right.header).toEqual(['income, net', 'y']);
    expect(E.isRight(t) && Array.from(t.right.values)).toEqual([1, 2, 3, 4]);
  });
  it('0x1A, 0b11, Infinity and an empty cell are not numbers', () => {
    for (const cell of ['0x1A', '0b11', '0o7', 'Infinity', '1_000', '']) {
      const t = parseNumericCsv('h.csv', `a,y\n${cell},1\n`, { header: true });
      expect(E.isLeft(t)).toBe(true);
    }
    const ok = parseNumericCsv('h.csv', 'a,y\n-1.5e3,.5\n+2,"3"\n', { header: true });
    expect(E.isRight(ok) && Array.from(ok.right.values)).toEqual([-1500, 0.5, 2, 3]);
  });
});

describe('programs that train nothing', () => {
  it('a program without an update rule is refused by xreg run', async () => {
    const d = workspace({ 'p.xreg': `${H}loss fit = mse(x @ w, y) over train\nfreeze w\nrun 10 steps\n` });
    const r = await go({ file: path.join(d, 'p.xreg'), out: path.join(d, 'out') });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/has no update rule: there is nothing to train/)]);
  });
});
