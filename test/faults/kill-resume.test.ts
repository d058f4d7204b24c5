/**
 * SIGKILL at random points of a checkpointed run's training, three times, each followed by `--resume`: the
 * finished run equals an undisturbed one byte for byte (metrics.jsonl) and bit for bit (the final
 * tensors). The long campaign is bench/faults/kill-resume.ts.
 */
import { describe, expect, it } from 'vitest';
import { killCampaign } from '../../bench/faults/kill-campaign.js';

describe('kill -9 and resume', () => {
  it('three SIGKILLs at random points of training: each resume goes on from a checkpoint, and nothing differs from the undisturbed run', async () => {
    const r = await killCampaign({ kills: 3, seed: 7, steps: 1000, by: 'progress' });
    expect(r.kills).toBe(3);
    expect(r.segments).toBe(4);
    expect(r.resumes).toBe(3);
    expect(r.metricsIdentical).toBe(true);
    expect(r.finalTensorsIdentical).toBe(true);
  }, 240_000);
});
