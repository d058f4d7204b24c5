/**
 * Run as a child process under a given locale by test/compiler/text-order.test.ts: prints one JSON
 * line with the IR's parameter order for a program whose names sort differently by locale, the same
 * names sorted by `localeCompare` (the locale's order) and whether this Node knows that locale.
 */
import { compile } from '../compiler/helpers.js';

const names = ['hb', 'cha', 'aab', 'zz', 'ab'];
const text = `data d = csv("nowhere/missing.csv", target: "y") |> standardize
split d { train: 1 } seed 0
${names.map((n) => `param ${n} : Tensor[10] = 0`).join('\n')}
loss fit = mse(${names.map((n) => `x @ ${n}`).join(' + ')}, y) over train
update ${names.join(' + ')} by sgd(lr: 0.1) on fit
`;
const r = compile(text);
const locale = new Intl.Collator().resolvedOptions().locale;
console.log(JSON.stringify({ locale, params: r.ir?.params.map((p) => p.path) ?? [], diagnostics: r.diagnostics.map((d) => d.code), local: [...names].sort((a, b) => a.localeCompare(b)) }));
