import { createRng } from '@diffchat/core';
import { WORLD_STYLES } from '@diffchat/world';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dressAfterSource, dressingTail } from './dress-prompt';
import { repeatsModifier } from './repeated-modifiers';
import { hasBrokenWeightSyntax } from './weight-syntax';

const random = (seed: number) => {
  const rng = createRng(seed);
  return () => rng.next();
};

describe('dressAfterSource', () => {
  it('keeps the prompt word for word at the start and adds well-formed, distinct modifiers', () => {
    fc.assert(
      fc.property(
        fc.nat(),
        fc.constantFrom('a blacksmith at an anvil', 'two koi in a pond', 'a cafe at dusk'),
        (seed, simple) => {
          const dressed = dressAfterSource(simple, random(seed));
          expect(dressed.startsWith(`${simple}, `)).toBe(true);
          const tail = dressed.slice(simple.length + 2).split(', ');
          expect(tail.length).toBeGreaterThanOrEqual(2);
          expect(repeatsModifier(dressed)).toBe(false);
          expect(hasBrokenWeightSyntax(dressed)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is deterministic in the random source', () => {
    expect(dressAfterSource('a fox', random(7))).toBe(dressAfterSource('a fox', random(7)));
  });

  it('adds no second style to a prompt that names one', () => {
    for (let seed = 0; seed < 50; seed++) {
      const dressed = dressAfterSource('an oil painting of a harbor', random(seed));
      expect(dressed).not.toMatch(/style/);
    }
  });
});

describe('dressingTail', () => {
  it('has a style three times in four when one is allowed, and never when not', () => {
    const names = WORLD_STYLES.map((style) => style.name);
    const hasStyle = (tail: string[]) => tail.some((item) => names.some((name) => item.includes(name)));
    let styled = 0;
    for (let seed = 0; seed < 400; seed++) {
      if (hasStyle(dressingTail(random(seed)))) styled++;
      expect(hasStyle(dressingTail(random(seed), false))).toBe(false);
    }
    expect(styled / 400).toBeGreaterThan(0.65);
    expect(styled / 400).toBeLessThan(0.9);
  });
});
