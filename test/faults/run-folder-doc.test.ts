/** docs/run-folder.md names every field a run folder's files can hold (checked against the codecs). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type * as t from 'io-ts';
import { describe, expect, it } from 'vitest';
import { Header } from '../../runtime/checkpoint/format.js';
import { Manifest } from '../../runtime/results/manifest.js';
import { recordLine } from '../../runtime/results/metrics.js';

const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/run-folder.md'), 'utf8');
const props = (c: t.Mixed): string[] => {
  const u = c as unknown as { props?: Record<string, unknown>; types?: t.Mixed[] };
  return [...Object.keys(u.props ?? {}), ...(u.types ?? []).flatMap(props)];
};

describe('docs/run-folder.md', () => {
  it('documents every manifest.json field', () => {
    const fields = props(Manifest);
    expect(fields.length).toBeGreaterThan(25);
    for (const f of fields) expect(doc, f).toContain(`\`${f}\``);
  });
  it('documents every checkpoint header field', () => {
    for (const f of props(Header)) expect(doc, f).toContain(`\`${f}\``);
  });
  it('documents every fixed key of a metrics.jsonl report', () => {
    const line = JSON.parse(recordLine({ step: 1, epoch: 0, member: 2, memberSeed: 7, sweepValue: 0.1, values: {} })) as Record<string, unknown>;
    for (const k of Object.keys(line)) expect(doc, k).toContain(`\`${k}\``);
  });
});
