import { afterAll, describe, expect, it } from 'vitest';
import { createReward } from './composite-reward';
import { registerReward, unregisterReward } from './default-registry';
import { RewardRegistry } from './registry';
import { defineReward, type RewardRecord } from './reward';

/** The README's custom reward: minus one per word of the target beyond `maxWords`. */
registerReward('promptLengthPenalty', ({ maxWords = 8 }) =>
  defineReward({
    name: 'promptLengthPenalty',
    score: (records) =>
      records.map((record) => {
        const words = record.target.trim().split(/\s+/).length;
        return { value: -Math.max(0, words - Number(maxWords)), details: { words } };
      }),
  }),
);
afterAll(() => unregisterReward('promptLengthPenalty'));

/** A registry of rewards that return given values, so sums can be checked by hand. */
function fixedRegistry(values: Record<string, number[]>, needs: Record<string, ('image' | 'original')[]> = {}) {
  const registry = new RewardRegistry();
  for (const [name, list] of Object.entries(values)) {
    registry.register(name, () =>
      defineReward({
        name,
        needs: needs[name] ?? [],
        score: (records) => records.map((_, index) => ({ value: list[index % list.length]!, details: { name } })),
      }),
    );
  }
  return registry;
}

const record: RewardRecord = {
  source: 'a dog in a park',
  instruction: 'add a cat',
  target: 'a dog and a cat in a park',
};

describe('createReward', () => {
  it('sums content integrity and a custom reward with their weights', async () => {
    const reward = await createReward({
      contentIntegrity: { weight: 2, threshold: 0.8 },
      promptLengthPenalty: { weight: 0.5, maxWords: 5 },
    });
    expect(reward.needs).toEqual([]);
    // Keeps dog, park and cat (reward 1); 8 words is 3 over the limit (-3).
    const [kept, lost] = await reward.score([record, { ...record, target: 'a dog in a park' }]);
    expect(kept!.value).toBeCloseTo(2 * 1 + 0.5 * -3, 12);
    expect(kept!.details.components).toMatchObject({
      contentIntegrity: { raw: 1, normalized: 1, weighted: 2, details: { coverage: 1, missing: [] } },
      promptLengthPenalty: { raw: -3, weighted: -1.5, details: { words: 8 } },
    });
    // Misses cat (coverage 2/3, reward 0); 5 words, no penalty.
    expect(lost!.value).toBe(0);
  });

  it('normalises (fixed, running), clips per component and clips the total', async () => {
    const registry = fixedRegistry({ a: [1, 2, 3], b: [10, 20, 30] });
    const fixed = await createReward(
      { a: { normalize: { mean: 2, std: 0.5 } }, b: { weight: 0.1, clip: [0, 15] } },
      { registry },
    );
    // a: (1-2)/0.5 = -2, 0, 2; b clipped to 10, 15, 15 then x0.1.
    expect((await fixed.score([record, record, record])).map((result) => result.value)).toEqual([-1, 1.5, 3.5]);

    const running = await createReward({ a: { normalize: 'running' } }, { registry, clip: 0.5 });
    // Running mean 2, std 1 over the batch: -1, 0, 1, clipped to +-0.5.
    expect((await running.score([record, record, record])).map((result) => result.value)).toEqual([-0.5, 0, 0.5]);
  });

  it('asks for images when any component needs them', async () => {
    const registry = fixedRegistry({ text: [1], image: [1] }, { image: ['image'] });
    const reward = await createReward({ text: {}, image: {} }, { registry });
    expect(reward.needs).toEqual(['image']);
    await expect(reward.score([record])).rejects.toThrow(/^records\[0\]\.images: /);
  });

  it('names the record and component that produced NaN', async () => {
    const registry = fixedRegistry({ good: [1], bad: [0, Number.NaN] });
    const reward = await createReward({ good: {}, bad: {} }, { registry });
    await expect(reward.score([record, record])).rejects.toThrow(/^records\[1\]: reward "bad" produced NaN/);
  });

  it('rejects bad configs, naming the field', async () => {
    await expect(createReward({ aesthetik: {} })).rejects.toThrow(
      /^aesthetik: unknown reward "aesthetik"; known rewards: aesthetic, clipScore, contentIntegrity, distilled, pickscore, promptLengthPenalty, relevance/,
    );
    await expect(createReward({ contentIntegrity: { weight: Number.NaN } })).rejects.toThrow(
      /^contentIntegrity\.weight: expected a finite number/,
    );
    await expect(createReward({ contentIntegrity: { weight: Number.POSITIVE_INFINITY } })).rejects.toThrow(
      /^contentIntegrity\.weight: /,
    );
    await expect(createReward({ contentIntegrity: { weight: '2' as never } })).rejects.toThrow(
      /^contentIntegrity\.weight: /,
    );
    await expect(createReward({ contentIntegrity: { threshold: 2 } })).rejects.toThrow(
      /^contentIntegrity\.threshold: /,
    );
    await expect(createReward({ contentIntegrity: { treshold: 0.5 } })).rejects.toThrow(
      /^contentIntegrity: unknown option "treshold"/,
    );
    await expect(createReward({ contentIntegrity: { normalize: { mean: 0, std: 0 } } })).rejects.toThrow(
      /^contentIntegrity\.normalize\.std: expected std > 0/,
    );
    await expect(createReward({ contentIntegrity: { normalize: 'batch' as never } })).rejects.toThrow(
      /^contentIntegrity\.normalize: /,
    );
    await expect(createReward({ contentIntegrity: { clip: [1, 0] } })).rejects.toThrow(/^contentIntegrity\.clip/);
    await expect(createReward({ contentIntegrity: {} }, { clip: -1 })).rejects.toThrow(/^clip: /);
    await expect(createReward({})).rejects.toThrow(/^config: no reward configured/);
  });

  it('content integrity can return the coverage instead of the binary reward', async () => {
    const reward = await createReward({ contentIntegrity: { value: 'coverage' } });
    const [result] = await reward.score([{ ...record, target: 'a dog in a park' }]);
    expect(result!.value).toBeCloseTo(2 / 3, 12);
  });
});
