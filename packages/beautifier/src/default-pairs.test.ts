import { parsePrompt } from '@diffchat/world';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BEAUTIFIER_RECIPE, heldOutPrompts } from './default-beautifier';
import { generateDefaultPairs, generateSimplePrompts } from './default-pairs';

describe('generateDefaultPairs', () => {
  it('is deterministic in the seed, with distinct simple prompts', () => {
    const pairs = generateDefaultPairs({ count: 200, seed: 4 });
    expect(pairs).toEqual(generateDefaultPairs({ count: 200, seed: 4 }));
    expect(new Set(pairs.map((pair) => pair.simple)).size).toBe(200);
    expect(pairs.map((pair) => pair.simple)).toEqual(generateSimplePrompts(200, 4));
    expect(generateDefaultPairs({ count: 20, seed: 5 })).not.toEqual(generateDefaultPairs({ count: 20, seed: 4 }));
  });

  it('dresses each simple prompt without losing its subjects (the world parser reads both)', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000 }), (seed) => {
        for (const pair of generateDefaultPairs({ count: 5, seed })) {
          const simple = parsePrompt(pair.simple).scene;
          const beautiful = parsePrompt(pair.beautiful).scene;
          expect(beautiful.subjects.map((subject) => subject.object)).toEqual(
            simple.subjects.map((subject) => subject.object),
          );
          expect(beautiful.quality.length).toBeGreaterThan(simple.quality.length);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('writes open-vocabulary pairs in the source-first layout: the prompt word for word, then modifiers', () => {
    const pairs = generateDefaultPairs({ count: 100, seed: 3, vocabulary: 'open', layout: 'source-first' });
    for (const pair of pairs) expect(pair.beautiful.startsWith(`${pair.simple}, `)).toBe(true);
    // The open vocabulary brings words the curated world does not know.
    const unknown = pairs.filter((pair) => parsePrompt(pair.simple).unknownWords.length > 0);
    expect(unknown.length).toBeGreaterThan(50);
    expect(generateDefaultPairs({ count: 10, seed: 3, vocabulary: 'open', layout: 'source-first' })).toEqual(
      pairs.slice(0, 10),
    );
  });

  it('never returns an excluded prompt', () => {
    const training = new Set(generateSimplePrompts(300, 0));
    const held = generateDefaultPairs({ count: 300, seed: 0, exclude: training });
    expect(held.filter((pair) => training.has(pair.simple))).toEqual([]);
    expect(() => generateSimplePrompts(-1)).toThrow(RangeError);
  });
});

describe('heldOutPrompts', () => {
  it('is disjoint from the recipe training prompts', () => {
    const recipe = { ...DEFAULT_BEAUTIFIER_RECIPE, pairs: 500 };
    const training = new Set(generateSimplePrompts(recipe.pairs, recipe.seed));
    const held = heldOutPrompts(200, recipe);
    expect(held).toHaveLength(200);
    expect(held.some((prompt) => training.has(prompt))).toBe(false);
  });
});
