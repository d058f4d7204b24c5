/**
 * `writeExclusive` (runtime/checkpoint/store.ts), the exploit plan's write: of several writers one
 * makes the file, and a reader sees no file or all of it. Created exclusively and then written, a
 * plan read in between was empty, and a population part stopped on "unreadable exploit plan".
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeExclusive } from '../../runtime/checkpoint/store.js';

const payload = (byte: number, n: number): Buffer => Buffer.alloc(n, byte);

describe('writing a file only if it is not there', () => {
  it('lets one of several writers make the file, with its bytes, and leaves no temporary file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xreg-excl-'));
    const file = path.join(dir, 'plan.json');
    const won = await Promise.all([1, 2, 3, 4].map((b) => writeExclusive(file, payload(b, 1000))));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = won.indexOf(true) + 1;
    expect((await fs.readFile(file)).equals(payload(winner, 1000))).toBe(true);
    expect(await writeExclusive(file, payload(9, 10))).toBe(false);
    expect((await fs.readFile(file)).equals(payload(winner, 1000))).toBe(true);
    expect(readdirSync(dir)).toEqual(['plan.json']);
  });

  it('never shows a reader part of the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'xreg-excl-'));
    const file = path.join(dir, 'plan.json');
    const n = 16 * 1024 * 1024;
    const seen: number[] = [];
    let done = false;
    // Readers polling while the writer writes: each read that finds the file records its length.
    const reader = async (): Promise<void> => {
      while (!done) {
        const b = await fs.readFile(file).catch(() => undefined);
        if (b !== undefined) seen.push(b.length);
        await new Promise((r) => setImmediate(r));
      }
    };
    const readers = [reader(), reader()];
    expect(await writeExclusive(file, payload(7, n))).toBe(true);
    // A few more reads after the write, so that the file was seen at all.
    while (seen.length < 3) await new Promise((r) => setImmediate(r));
    done = true;
    await Promise.all(readers);
    expect(seen.filter((len) => len !== n)).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });
});
