import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentIntegrity } from './content-integrity';
import { corruptKeywords } from './corrupt-keywords';
import { extractKeywords } from './keywords';

/** A seeded generator, independent of the code under test: Park and Miller's minimal standard. */
function seeded(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 16807) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

const words = {
  subject: ['cat', 'dog', 'woman', 'old man', 'castle', 'lighthouse', 'fox', 'robot', 'sailboat', 'teddy bear'],
  attribute: ['red', 'small', 'wooden', 'fluffy', 'golden', 'ancient', 'blue', 'two', 'three'],
  place: ['beach', 'forest', 'city street', 'kitchen', 'mountain', 'garden', 'desert', 'lake'],
  extra: ['at night', 'in winter', 'in the rain', 'at sunset', '', ', oil painting', ', highly detailed, 8k'],
};

const prompts = fc
  .record({
    attribute: fc.constantFrom(...words.attribute),
    subject: fc.constantFrom(...words.subject),
    place: fc.constantFrom(...words.place),
    extra: fc.constantFrom(...words.extra),
  })
  .map(({ attribute, subject, place, extra }) => `a ${attribute} ${subject} near a ${place} ${extra}`.trim());

const coverageOf = (original: string, corrupted: string) =>
  corrupted.trim() === '' ? 0 : contentIntegrity({ source: original, instruction: '', target: corrupted }).coverage;

describe('corruptKeywords', () => {
  it('lowers the coverage of the original keywords', () => {
    fc.assert(
      fc.property(
        prompts,
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (prompt, seed, drop, replace) => {
          fc.pre(drop + replace > 0);
          const corrupted = corruptKeywords(prompt, seeded(seed), { drop, replace });
          expect(coverageOf(prompt, prompt)).toBe(1);
          expect(coverageOf(prompt, corrupted.text)).toBeLessThan(1);
          expect(corrupted.dropped.length + corrupted.replaced.length).toBeGreaterThan(0);
          for (const { to } of corrupted.replaced) expect(extractKeywords(prompt)).not.toContain(to);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is deterministic for a given random sequence', () => {
    fc.assert(
      fc.property(prompts, fc.integer({ min: 0, max: 1_000_000 }), (prompt, seed) => {
        expect(corruptKeywords(prompt, seeded(seed))).toEqual(corruptKeywords(prompt, seeded(seed)));
      }),
      { numRuns: 50 },
    );
  });

  it('changes the asked share of keywords: half of 4 dropped, a quarter replaced', () => {
    // Keywords: red, car, city street, night.
    const result = corruptKeywords('a red car on a city street at night', seeded(7), { drop: 0.5, replace: 0.25 });
    expect(result.dropped).toHaveLength(2);
    expect(result.replaced).toHaveLength(1);
  });

  it('returns the prompt unchanged when asked for no change', () => {
    const prompt = 'a red car on a city street at night';
    expect(corruptKeywords(prompt, seeded(1), { drop: 0, replace: 0 })).toEqual({
      text: prompt,
      dropped: [],
      replaced: [],
    });
  });

  it('rejects bad arguments, naming them', () => {
    expect(() => corruptKeywords('', seeded(1))).toThrow(/^target: /);
    expect(() => corruptKeywords('a cat', seeded(1), { drop: 0.8, replace: 0.8 })).toThrow(/^drop: /);
    expect(() => corruptKeywords('a cat', seeded(1), { replace: -1 })).toThrow(/^replace: /);
    expect(() => corruptKeywords('a cat on a mat', () => 1)).toThrow(/^rng: /);
    expect(() => corruptKeywords('a cat on a mat', () => Number.NaN)).toThrow(/^rng: /);
    expect(() => corruptKeywords('a cat', 'x' as never)).toThrow(/^rng: /);
  });
});
