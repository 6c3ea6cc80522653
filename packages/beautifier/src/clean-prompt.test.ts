import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainTexts, promptLikeTexts, wellFormedPrompts } from '../test/prompt-arbitraries';
import { cleanPrompt } from './clean-prompt';
import { repeatsModifier } from './repeated-modifiers';
import { hasBrokenWeightSyntax } from './weight-syntax';

/**
 * The modifiers of a prompt as the specification compares them, from the raw text split at every `,` and `|`, with
 * brackets and backslashes deleted, then colons and the numbers after them, then whitespace.
 */
function modifierKeys(text: string): string[] {
  return text.split(/[,|]/).map((segment) =>
    segment
      .replace(/[()[\]\\]/g, '')
      .replace(/:\s*[+-]?[\d.]*/g, '')
      .replace(/\s+/g, '')
      .toLowerCase(),
  );
}

/** The keys with every later copy of a non-empty key left out. */
function firstOccurrences(keys: readonly string[]): string[] {
  return keys.filter((key, index) => key === '' || keys.indexOf(key) === index);
}

describe('cleanPrompt', () => {
  it('repairs the syntax first, so repeats with malformed weights are found', () => {
    expect(cleanPrompt('(masterpiece:1.1.1.3), (masterpiece:1.1), (8k')).toBe('(masterpiece:1.1), 8k');
    expect(cleanPrompt('an old windmill, an old windmill, an old windmill')).toBe('an old windmill');
    expect(cleanPrompt('a, b (, a)')).toBe('a, b ');
  });

  it('gives well-formed syntax without repeats, and keeps every modifier that is not a repeat, in order', () => {
    fc.assert(
      fc.property(fc.oneof(promptLikeTexts, wellFormedPrompts), (text) => {
        const cleaned = cleanPrompt(text);
        expect(hasBrokenWeightSyntax(cleaned)).toBe(false);
        expect(repeatsModifier(cleaned)).toBe(false);
        expect(modifierKeys(cleaned)).toEqual(firstOccurrences(modifierKeys(text)));
        expect(cleanPrompt(cleaned)).toBe(cleaned);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const cleaned = cleanPrompt(text);
        expect(hasBrokenWeightSyntax(cleaned)).toBe(false);
        expect(repeatsModifier(cleaned)).toBe(false);
        expect(cleanPrompt(cleaned)).toBe(cleaned);
      }),
      { numRuns: 1000 },
    );
  });

  it('passes text without brackets, commas and pipes through unchanged', () => {
    fc.assert(
      fc.property(plainTexts, (text) => {
        expect(cleanPrompt(text)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
