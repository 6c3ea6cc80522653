import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RewardError } from './errors';
import { extractKeywords } from './keywords';

describe('extractKeywords', () => {
  it.each([
    ['Two red cars on a rainy street at night, highly detailed, 8k', ['two', 'red', 'car', 'rain', 'street', 'night']],
    ['a cat sleeping on a windowsill', ['cat', 'windowsill']],
    ['3 apples and an orange on a blue plate', ['three', 'apple', 'orange', 'blue', 'plate']],
    [
      'an oil painting of a lighthouse, trending on artstation, masterpiece, sharp focus',
      ['oil painting', 'lighthouse'],
    ],
    [
      'a photo of an old man with a grey beard, black-and-white, 4K',
      ['photo', 'old', 'man', 'gray', 'beard', 'black', 'white'],
    ],
    ['a woman wearing glasses, portrait, octane render, unreal engine 5', ['woman', 'glass', 'portrait']],
    ['a chef cooking pasta in a kitchen', ['chef', 'pasta', 'kitchen']],
    ['A beautiful snowy village in winter', ['snow', 'village', 'winter']],
    ['An astronaut on Mars', ['astronaut', 'mars']],
    ['a bicycle leaning against a brick wall', ['bicycle', 'brick wall']],
  ])('%s', (text, expected) => {
    expect(extractKeywords(text)).toEqual(expected);
  });

  it('treats spelling variants and inflections as one keyword', () => {
    expect(extractKeywords('grey cats')).toEqual(extractKeywords('a gray cat'));
    expect(extractKeywords('a watercolour of two foxes')).toEqual(extractKeywords('a watercolor of 2 fox'));
  });

  it('finds nothing in boilerplate and function words alone', () => {
    expect(extractKeywords('highly detailed, 8k, masterpiece, trending on artstation, sharp focus')).toEqual([]);
    expect(extractKeywords('')).toEqual([]);
    expect(extractKeywords('of the and with')).toEqual([]);
  });

  it('rejects a value that is not a string, naming the argument', () => {
    expect(() => extractKeywords(42 as unknown as string)).toThrow(RewardError);
    expect(() => extractKeywords(null as unknown as string)).toThrow(/^text: /);
  });

  it('skips the empty token the tokenizer makes between two dots', () => {
    expect(extractKeywords('A0..0')).not.toContain('');
  });

  it('returns unique, lower-case, trimmed keywords for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (text) => {
        const keywords = extractKeywords(text);
        expect(new Set(keywords).size).toBe(keywords.length);
        for (const keyword of keywords) {
          expect(keyword).toBe(keyword.toLowerCase());
          expect(keyword.trim()).toBe(keyword);
          expect(keyword.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
