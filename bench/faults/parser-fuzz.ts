/**
 * The long front-end fuzz campaign: the generators of fuzz-inputs.ts with many more runs, and every
 * keyword at every token of a valid program. Counts inputs, throws (crashes) and inputs over
 * 10 s (hangs); prints one JSON line.
 *
 *   npx tsx bench/faults/parser-fuzz.ts [runsPerGenerator] [seed]
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { compileText } from '../../compiler/compile.js';
import { lex } from '../../dsl/lexer.js';
import { deepNesting, hugeLiteral, KEYWORDS, longChain, VALID, withKeywordAt } from './fuzz-inputs.js';

const runs = Number(process.argv[2] ?? 500);
const seed = Number(process.argv[3] ?? 1);
let inputs = 0;
let crashes = 0;
let hangs = 0;
let slowest = 0;
const firstCrash: string[] = [];

const one = (text: string): void => {
  inputs++;
  const t0 = performance.now();
  try {
    compileText(text, 'f.xreg');
  } catch (e) {
    crashes++;
    if (firstCrash.length < 3) firstCrash.push(`${String(e).slice(0, 120)} on ${text.slice(0, 120)}`);
  }
  const ms = performance.now() - t0;
  slowest = Math.max(slowest, ms);
  if (ms > 10_000) hangs++;
};

const t0 = Date.now();
for (const [name, arb] of [
  ['deep', deepNesting(2000)],
  ['chain', longChain(50_000)],
  ['literal', hugeLiteral],
] as const) {
  for (const text of fc.sample(arb as fc.Arbitrary<string>, { numRuns: runs, seed })) one(text);
  console.error(`${name}: ${inputs} inputs so far`);
}
const offsets = lex(VALID, 'v').tokens.map((t) => t.startOffset);
for (let i = 0; i < offsets.length; i++) for (const k of KEYWORDS) one(withKeywordAt(VALID, offsets, i, k));
console.log(
  JSON.stringify({
    inputs,
    crashes,
    hangs,
    slowestMs: Math.round(slowest),
    seconds: Math.round((Date.now() - t0) / 1000),
    firstCrash,
    load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
  }),
);
if (crashes + hangs > 0) process.exitCode = 1;
