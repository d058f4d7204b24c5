/**
 * The long SIGKILL campaign (bench/faults/kill-campaign.ts): `kills` kills at random moments of a
 * 3000-step checkpointed run, each followed by `--resume`; prints the counts and the load average.
 *
 *   npx tsx bench/faults/kill-resume.ts [kills] [seed]
 */
import { readFileSync } from 'node:fs';
import { killCampaign } from './kill-campaign.js';

const r = await killCampaign({ kills: Number(process.argv[2] ?? 10), seed: Number(process.argv[3] ?? 1), steps: 3000, by: 'time' });
console.log(JSON.stringify({ ...r, load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') }));
if (r.dataLost !== 0) process.exitCode = 1;
