import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainTexts, promptLikeTexts } from '../test/prompt-arbitraries';
import { removeRepeatedModifiers, repeatsModifier } from './repeated-modifiers';

// [input, output without repeats], worked out by hand.
const removals: [string, string][] = [
  ['an old windmill, an old windmill, an old windmill', 'an old windmill'],
  ['An Old Windmill, an old windmill,an old  windmill ', 'An Old Windmill'],
  ['(high contrast:1.2), (high contrast:1.2), sharp focus', '(high contrast:1.2), sharp focus'],
  ['8k, [8k], ((8K:1.3)), oil painting', '8k, oil painting'],
  ['a | b | a', 'a | b'],
  ['a, b, a | c', 'a, b, c'],
  ['oil painting, oil painting:1.2', 'oil painting'],
  ['a \\(b\\), a (b)', 'a \\(b\\)'],
  // Brackets that pair with brackets of kept modifiers stay.
  ['(a, b, a:1.2)', '(a, b:1.2)'],
  ['a, (a, b)', 'a, (b)'],
  ['(a, b, a), (b, c)', '(a, b), (c)'],
  // A group made of repeats alone goes whole.
  ['a, b, (a, b:1.2), c', 'a, b, c'],
  ['(a, b , a)', '(a, b)'],
];

const unchanged = ['a, b, c', 'a, , , b', 'an old windmill', 'a | b, (c:1.2)', '', 'a b, a, b'];

describe('removeRepeatedModifiers and repeatsModifier', () => {
  it.each(removals)('cleans %j to %j', (input, output) => {
    expect(repeatsModifier(input)).toBe(true);
    expect(removeRepeatedModifiers(input)).toBe(output);
    expect(repeatsModifier(output)).toBe(false);
  });

  it.each(unchanged)('leaves %j, which repeats no modifier, as it is', (text) => {
    expect(repeatsModifier(text)).toBe(false);
    expect(removeRepeatedModifiers(text)).toBe(text);
  });

  it('leaves a group with nothing left in it for the repair', () => {
    expect(removeRepeatedModifiers('a, b (, a)')).toBe('a, b ()');
  });

  it('removes every repeat and passes text without separators or brackets through', () => {
    fc.assert(
      fc.property(promptLikeTexts, (text) => {
        const cleaned = removeRepeatedModifiers(text);
        expect(repeatsModifier(cleaned)).toBe(false);
        expect(removeRepeatedModifiers(cleaned)).toBe(cleaned);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(plainTexts, (text) => {
        expect(repeatsModifier(text)).toBe(false);
        expect(removeRepeatedModifiers(text)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
