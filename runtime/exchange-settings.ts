/**
 * How the parts of a population publish their states at an exploit (runtime/exchange.ts): the
 * exchange folder's own setting, read by every part, so that they all agree. Apart from the
 * exchange itself, so that the pool sets it without loading TensorFlow.js.
 */
import * as t from 'io-ts';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeAtomic } from './checkpoint/store.js';

export const SettingsC = t.type({ states: t.keyof({ 'with-scores': null, copied: null }) });
export type ExchangeSettings = t.TypeOf<typeof SettingsC>;

export const settingsFile = (dir: string): string => path.join(dir, 'exchange.json');

/** Sets how the parts exploiting through `dir` publish their states (before any part starts). */
export const writeExchangeSettings = async (dir: string, s: ExchangeSettings): Promise<void> => {
  await fs.mkdir(dir, { recursive: true });
  await writeAtomic(settingsFile(dir), Buffer.from(JSON.stringify(SettingsC.encode(s))));
};
