/**
 * `xreg check` runs from a bundle with V8's code cache beside it (cli/code-cache.ts). Whatever
 * state the cache is in (missing, made for another bundle, damaged, made by another V8), the
 * command must print exactly what the unbundled command prints, and leave a cache that the next
 * run uses. The bundle is built here from source with the build's options (cli/check-bundle.ts).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBundleOptions } from '../../cli/check-bundle.js';
import { cacheNameFor } from '../../cli/code-cache.js';

const root = join(import.meta.dirname, '..', '..');
// Inside the package, so that the bundle finds esbuild (plugins) in node_modules as an installed one does.
const dir = join(root, 'node_modules', '.cache', `xreg-code-cache-test-${process.pid}`);
const bundle = join(dir, 'check.cjs');
// The user's cache folder, for the runs here (XDG_CACHE_HOME).
const userDir = join(dir, 'user-cache');

// A clean program, programs with syntax, compile and lowering errors, and plugins (their own copies:
// loading a plugin writes a file beside it, which plugins.test.ts also does with the originals).
const golden = readdirSync(join(root, 'test', 'dsl', 'golden')).filter((f) => f.endsWith('.xreg')).sort().slice(0, 12);
const plugins = ['empty', 'incomplete', 'missing', 'missing_package'];
const files = [
  join(root, 'programs', 'crossreg', 'ridge.xreg'),
  join(root, 'programs', 'noise', 'pbt.xreg'),
  join(root, 'test', 'cli', 'golden', 'csv_width.xreg'),
  ...golden.map((f) => join(root, 'test', 'dsl', 'golden', f)),
  ...plugins.map((p) => `${p}.xreg`),
];

interface Output {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}
const outputOf = (r: SpawnSyncReturns<string>): Output => ({ status: r.status, stdout: r.stdout, stderr: r.stderr });

const node = (args: readonly string[], v8Flags: readonly string[] = []): SpawnSyncReturns<string> =>
  spawnSync(process.execPath, [...v8Flags, '--import', 'tsx', ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: userDir } });

/** The unbundled command line, run from source. */
const reference = (args: readonly string[]): Output => outputOf(node([join(root, 'cli', 'xreg.ts'), 'check', ...args]));

/** The bundle through the cache, and the state the cache was found in. */
const cached = (args: readonly string[], v8Flags: readonly string[] = []): { readonly output: Output; readonly cache: string } => {
  const r = outputOf(node([join(root, 'test', 'helpers', 'cached-check.ts'), bundle, 'check', ...args], v8Flags));
  const lines = r.stderr.split('\n');
  const last = lines.at(-2) ?? '';
  expect(last).toMatch(/^code cache: (used|missing|rejected)$/);
  return { output: { ...r, stderr: [...lines.slice(0, -2), ''].join('\n') }, cache: last.slice('code cache: '.length) };
};

const cacheFile = (): string => join(dir, cacheNameFor(bundle, readFileSync(bundle)));
const userCacheFile = (): string => join(userDir, 'xreg', cacheNameFor(bundle, readFileSync(bundle)));
const caches = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.v8cache'));
/** A folder where a cache file belongs: reading it fails, and so does renaming a new cache onto it. */
const block = (file: string): void => {
  rmSync(file, { force: true });
  mkdirSync(join(file, 'x'), { recursive: true });
};

let text: Output;
let json: Output;

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  for (const p of plugins) copyFileSync(join(root, 'test', 'plugins', 'golden', `${p}.xreg`), join(dir, `${p}.xreg`));
  for (const p of ['empty', 'incomplete']) copyFileSync(join(root, 'test', 'plugins', 'golden', `${p}.plugin.js`), join(dir, `${p}.plugin.js`));
  await build(checkBundleOptions(join(root, 'cli', 'check-main.ts'), bundle));
  text = reference(files);
  json = reference(['--json', ...files]);
}, 180_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('xreg check from the code cache', () => {
  it('without a cache runs from the text and writes one; the next runs use it; the output is the command’s', () => {
    // What the comparison covers: clean, failing and plugin programs.
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/checked 19 files: \d+ errors\n$/);
    expect(text.stdout).toContain('error[E0802]: the plugin');
    expect(text.stdout).toContain('error[E0800]: cannot find the plugin package');
    expect(caches()).toEqual([]);
    const first = cached(files);
    expect(first.cache).toBe('missing');
    expect(first.output).toEqual(text);
    expect(caches()).toHaveLength(1);
    const second = cached(files);
    expect(second.cache).toBe('used');
    expect(second.output).toEqual(text);
    const asJson = cached(['--json', ...files]);
    expect(asJson.cache).toBe('used');
    expect(asJson.output).toEqual(json);
  }, 120_000);

  it('a cache made for another bundle of the same length is not used', () => {
    cached(files);
    const old = caches();
    const source = readFileSync(bundle, 'utf8');
    const edited = source.replace('"all clean"', '"ALL CLEAN"');
    expect(edited).not.toBe(source);
    expect(edited.length).toBe(source.length);
    writeFileSync(bundle, edited);
    try {
      const r = cached([files[0] ?? '']);
      // V8 would take the old cache (it checks the length, not the text) and print 'all clean'.
      expect(r.cache).toBe('missing');
      expect(r.output.stdout).toBe('checked 1 file: ALL CLEAN\n');
      expect(caches()).toHaveLength(old.length + 1);
    } finally {
      writeFileSync(bundle, source);
    }
  }, 120_000);

  it('a damaged cache is rejected, and replaced', () => {
    cached(files);
    const file = cacheFile();
    const size = statSync(file).size;
    truncateSync(file, Math.floor(size / 2));
    const r = cached(files);
    expect(r.cache).toBe('rejected');
    expect(r.output).toEqual(text);
    expect(statSync(file).size).toBeGreaterThan(size / 2);
    expect(cached(files).cache).toBe('used');
  }, 120_000);

  it('beside a bundle the user cannot write to, the cache goes to the user’s cache folder, and is kept there', () => {
    block(cacheFile());
    try {
      const first = cached(files);
      expect(first.cache).toBe('missing');
      expect(first.output).toEqual(text);
      expect(statSync(userCacheFile()).isFile()).toBe(true);
      expect(cached(files).cache).toBe('used');
      // Rejected there (other V8 flags), it is replaced there, not left to be found again first
      // (even once the bundle's folder can be written to).
      rmSync(cacheFile(), { recursive: true, force: true });
      expect(cached(files, ['--no-opt']).cache).toBe('rejected');
      expect(cached(files).cache).toBe('rejected');
      const r = cached(files);
      expect(r.cache).toBe('used');
      expect(r.output).toEqual(text);
    } finally {
      rmSync(cacheFile(), { recursive: true, force: true });
      rmSync(userCacheFile(), { force: true });
    }
  }, 120_000);

  it('a cache that can be neither read nor written anywhere changes nothing but the time', () => {
    block(cacheFile());
    block(userCacheFile());
    try {
      const r = cached(files);
      expect(r.cache).toBe('missing');
      expect(r.output).toEqual(text);
      const leftovers = (d: string): string[] => readdirSync(d).filter((f) => f.endsWith('.tmp'));
      expect([...leftovers(dir), ...leftovers(join(userDir, 'xreg'))]).toEqual([]);
    } finally {
      rmSync(cacheFile(), { recursive: true, force: true });
      rmSync(userCacheFile(), { recursive: true, force: true });
    }
  }, 120_000);

  it('a cache made by another V8 (here: other V8 flags; another Node version is refused alike) is rejected, and replaced', () => {
    rmSync(cacheFile(), { force: true });
    const other = cached(files, ['--no-opt']);
    expect(other.cache).toBe('missing');
    expect(other.output).toEqual(text);
    const r = cached(files);
    expect(r.cache).toBe('rejected');
    expect(r.output).toEqual(text);
    expect(cached(files).cache).toBe('used');
  }, 120_000);
});
