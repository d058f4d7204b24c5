/**
 * Broken plugins, each a program under test/plugins/golden/ (with the plugin files beside it),
 * checked as `xreg check` checks it (plugins loaded first): the rendered diagnostics must equal
 * NAME.expected. `UPDATE_GOLDEN=1` rewrites them (read them by eye before committing).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWithPlugins } from './check.js';

const dir = path.join('test', 'plugins', 'golden');
const update = process.env['UPDATE_GOLDEN'] === '1';

const programs = (d: string): string[] =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? programs(path.join(d, e.name)) : e.name.endsWith('.xreg') ? [path.join(d, e.name)] : []));

describe('broken plugins: golden diagnostics', () => {
  for (const file of programs(dir).sort()) {
    it(path.relative(dir, file), async () => {
      const r = await checkWithPlugins([file]);
      expect(r.exitCode).toBe(1);
      const expectedPath = file.replace(/\.xreg$/, '.expected');
      if (update || !existsSync(expectedPath)) writeFileSync(expectedPath, r.stdout);
      expect(r.stdout).toBe(readFileSync(expectedPath, 'utf8'));
    });
  }
});
