import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { type ComponentDetails, createReward } from './composite-reward';
import { registerReward, unregisterReward } from './default-registry';
import { RewardRegistry } from './registry';
import { defineReward, type RewardRecord } from './reward';

/** The README's custom reward: minus one per word of the target beyond `maxWords`. */
registerReward('promptLengthPenalty', {
  options: z.object({ maxWords: z.number().int().positive().default(8) }),
  create: ({ maxWords }) =>
    defineReward({
      name: 'promptLengthPenalty',
      score: (records) =>
        records.map((record) => {
          const words = record.target.trim().split(/\s+/).length;
          return { value: -Math.max(0, words - maxWords), details: { words } };
        }),
    }),
});
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
      /^aesthetik: unknown reward "aesthetik" \(did you mean "aesthetic"\?\); known rewards: aesthetic, clipScore, contentIntegrity, distilled, pickscore, promptLengthPenalty, relevance$/,
    );
    await expect(createReward({ sharpness: {} })).rejects.toThrow(
      /^sharpness: unknown reward "sharpness"; known rewards: aesthetic, /,
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
    // Built-ins suggest the option a misspelling meant, as custom rewards do.
    await expect(createReward({ contentIntegrity: { treshold: 0.5 } })).rejects.toThrow(
      /^contentIntegrity: unknown option "treshold" \(did you mean "threshold"\?\)$/,
    );
  });

  it('checks the options of a custom reward with its schema, naming the option and the field', async () => {
    await expect(createReward({ promptLengthPenalty: { weight: 1, maxWord: 5 } })).rejects.toThrow(
      /^promptLengthPenalty: unknown option "maxWord" \(did you mean "maxWords"\?\)$/,
    );
    await expect(createReward({ promptLengthPenalty: { maxWords: '5' } })).rejects.toThrow(
      /^promptLengthPenalty\.maxWords: /,
    );
    // The default applies when the option is left out: 8 words is not over the default of 8.
    const reward = await createReward({ promptLengthPenalty: {} });
    expect((await reward.score([record]))[0]!.value).toBe(0);
  });

  it('composes a custom reward with the built-ins of a registry that starts from them', async () => {
    const empty = new RewardRegistry();
    await expect(createReward({ contentIntegrity: {} }, { registry: empty })).rejects.toThrow(
      /^contentIntegrity: unknown reward "contentIntegrity"; the registry is empty \(RewardRegistry\.withBuiltIns\(\)/,
    );
    const registry = RewardRegistry.withBuiltIns();
    registry.register('wordCount', {
      options: z.object({}),
      create: () =>
        defineReward({
          name: 'wordCount',
          score: (records) => records.map((item) => ({ value: item.target.split(' ').length, details: {} })),
        }),
    });
    const reward = await createReward({ contentIntegrity: { weight: 3 }, wordCount: { weight: -1 } }, { registry });
    // All of dog, park and cat kept (3 * 1), 8 words (-8).
    expect((await reward.score([record]))[0]!.value).toBe(-5);
    await expect(createReward({ wordCount: {} })).rejects.toThrow(/^wordCount: unknown reward/);
  });

  it('types and fills details.components with the raw, normalised and weighted value', async () => {
    const registry = fixedRegistry({ a: [4, 8], b: [-3] });
    const reward = await createReward(
      { a: { weight: 0.5, normalize: { mean: 6, std: 2 } }, b: { weight: 2, clip: 1 } },
      { registry, clip: 3 },
    );
    const [first, second] = await reward.score([record, record]);
    expectTypeOf(first!.details.components).toEqualTypeOf<Record<string, ComponentDetails>>();
    // a: (4-6)/2 = -1 and (8-6)/2 = 1, halved; b: -3 clipped to -1, doubled. Totals -2.5 and -1.5 are within +-3.
    expect(first).toEqual({
      value: -2.5,
      details: {
        components: {
          a: { raw: 4, normalized: -1, weighted: -0.5, details: { name: 'a' } },
          b: { raw: -3, normalized: -1, weighted: -2, details: { name: 'b' } },
        },
      },
    });
    expect(second!.details.components.a).toEqual({ raw: 8, normalized: 1, weighted: 0.5, details: { name: 'a' } });
    expect(second!.value).toBe(-1.5);
  });

  it('content integrity can return the coverage instead of the binary reward', async () => {
    const reward = await createReward({ contentIntegrity: { value: 'coverage' } });
    const [result] = await reward.score([{ ...record, target: 'a dog in a park' }]);
    expect(result!.value).toBeCloseTo(2 / 3, 12);
  });
});
