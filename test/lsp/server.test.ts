/**
 * `xreg lsp` driven over stdio by a real client: diagnostics (with related notes) on open and
 * after an edit, hover on a parameter (shape, role, partition) and on a library name (signature,
 * plugin), go-to-definition within a file and across an import, completion.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hover, Location, MarkupContent } from 'vscode-languageserver-protocol';
import { startClient, type Client } from './client.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'xreg-lsp-'));
const lib = `# shared layers
layer block(n) = dense(n) |> relu
`;
const main = `import "lib.xreg"
plugin "./spread.js"
data d = correlated_features(base: 2, copies: 2, noise: 0.1, n: 40, seed: 1)
split d { train: 0.5, reg: 0.5 } seed 0
param theta : Tensor[4] ~ normal(0, 1)
model net(x) = x |> block(3) |> dense(1)
loss fit = mse(flat(net(x)), y) + spread(theta) + l2(theta) over train
update params(net) by adam(lr: 0.01) on fit
update theta by sgd(lr: 0.1) on fit
run 10 steps
`;
const spread = `import { defineFn, tf } from 'xreg/plugin';
export const spread = defineFn({ name: 'spread', args: ['x'], shape: () => [], compute: ([x]) => tf.sub(tf.max(x), tf.min(x)) });
`;
const uri = pathToFileURL(path.join(dir, 'main.xreg')).href;
const libUri = pathToFileURL(path.join(dir, 'lib.xreg')).href;

let client: Client;
beforeAll(async () => {
  writeFileSync(path.join(dir, 'lib.xreg'), lib);
  writeFileSync(path.join(dir, 'main.xreg'), main);
  writeFileSync(path.join(dir, 'spread.js'), spread);
  client = await startClient();
});
afterAll(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

const text = (h: Hover | null): string => ((h?.contents ?? { value: '' }) as MarkupContent).value;
const lineOf = (s: string, needle: string): number => s.split('\n').findIndex((l) => l.includes(needle));

describe('xreg lsp over stdio', () => {
  it('publishes nothing wrong for a clean program (plugin and import loaded), then the errors of an edit, with related notes', async () => {
    const first = client.nextDiagnostics(uri);
    await client.open(uri, main);
    expect((await first).diagnostics).toEqual([]);

    const broken = main.replace('update theta by sgd(lr: 0.1) on fit', 'update theta by sgd(lr: 0.1) on fit\nupdate theta by adam(lr: 0.1) on fit');
    const next = client.nextDiagnostics(uri);
    await client.change(uri, 2, broken);
    const ds = (await next).diagnostics;
    expect(ds.length).toBeGreaterThan(0);
    const twice = ds.find((d) => d.relatedInformation !== undefined);
    expect(twice?.code).toMatch(/^E0\d{3}$/);
    expect(twice?.range.start.line).toBe(lineOf(broken, 'by adam(lr: 0.1)'));
    expect(twice?.relatedInformation?.[0]?.location.uri).toBe(uri);
    expect(twice?.relatedInformation?.[0]?.location.range.start.line).toBe(lineOf(broken, 'update theta by sgd'));

    const fixed = client.nextDiagnostics(uri);
    await client.change(uri, 3, main);
    expect((await fixed).diagnostics).toEqual([]);
  });

  it('hover: a parameter shows shape, role and partition; a model its parameters; a library name its signature and where it comes from', async () => {
    const l = lineOf(main, 'loss fit');
    const theta = text(await client.hover(uri, l, main.split('\n')[l]!.indexOf('theta') + 1));
    expect(theta).toContain('`theta`: Tensor[4]');
    expect(theta).toMatch(/role \w+ · partition \w+/);
    const net = text(await client.hover(uri, l, main.split('\n')[l]!.indexOf('net(') + 1));
    expect(net).toContain('model `net`');
    expect(net).toContain('Tensor[4, 3]');
    const adam = text(await client.hover(uri, lineOf(main, 'by adam'), main.split('\n')[lineOf(main, 'by adam')]!.indexOf('adam') + 2));
    expect(adam).toContain('optimizer adam(lr: number, beta1: 0.9');
    expect(adam).toContain('standard library');
    const sp = text(await client.hover(uri, l, main.split('\n')[l]!.indexOf('spread') + 2));
    expect(sp).toContain('fn spread(x)');
    expect(sp).toContain('spread.js');
  });

  it('go to definition: a model to its declaration, an imported layer into the imported file, an import path to the file', async () => {
    const l = lineOf(main, 'loss fit');
    const net = (await client.definition(uri, l, main.split('\n')[l]!.indexOf('net(') + 1)) as Location;
    expect(net.uri).toBe(uri);
    expect(net.range.start.line).toBe(lineOf(main, 'model net'));
    const m = lineOf(main, 'model net');
    const block = (await client.definition(uri, m, main.split('\n')[m]!.indexOf('block(') + 1)) as Location;
    expect(block.uri).toBe(libUri);
    expect(block.range.start).toEqual({ line: lineOf(lib, 'layer block'), character: 'layer '.length });
    const imp = (await client.definition(uri, 0, 10)) as Location;
    expect(imp.uri).toBe(libUri);
  });

  it('completion offers library names with signatures, keywords and the program\u2019s own names', async () => {
    const items = (await client.completion(uri, 3, 0)) as { label: string; detail?: string }[];
    const labels = new Set(items.map((i) => i.label));
    for (const n of ['eye', 'adam', 'dense', 'spread', 'update', 'plugin', 'net', 'theta', 'block']) expect(labels).toContain(n);
    expect(items.find((i) => i.label === 'eye')?.detail).toBe('fn eye(n: int) (not differentiable)');
  });
});
