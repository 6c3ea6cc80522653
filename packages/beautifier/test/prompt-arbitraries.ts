import fc from 'fast-check';

/**
 * Prompt-like texts built from the pieces a small beautifier writes, well-formed or not: words in both cases, commas
 * and pipes, brackets, weights good and bad, escapes and lone backslashes. No piece starts with a digit, so deleting
 * brackets from the raw text never runs a weight into the text after it.
 */
export const promptLikeTexts = fc
  .array(
    fc.constantFrom(
      'an old windmill',
      'An Old Windmill',
      'masterpiece',
      'hd 8k',
      'a',
      'b',
      ' ',
      ', ',
      ',',
      ' | ',
      '(',
      '(',
      ')',
      ')',
      '[',
      ']',
      ':1.2',
      ':1.1.1.3',
      ':',
      ':.',
      '\\',
      '\\(',
      '\\)',
    ),
    { maxLength: 24 },
  )
  .map((pieces) => pieces.join(''));

const words = fc.constantFrom('an old windmill', 'masterpiece', 'High Contrast', '8k', 'oil painting', 'a \\(b\\)');

/** A modifier in well-formed attention syntax: words, `(x)`, `[x]`, `(x:w)` with w one decimal number, nested. */
const modifier: fc.Arbitrary<string> = fc.letrec<{ modifier: string }>((tie) => ({
  modifier: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    words,
    tie('modifier').map((inner) => `(${inner})`),
    tie('modifier').map((inner) => `[${inner}]`),
    fc
      .tuple(tie('modifier'), fc.constantFrom('1.2', '0.8', '2', '.5', '1.25'))
      .map(([inner, weight]) => `(${inner}:${weight})`),
  ),
})).modifier;

/** Prompts whose attention syntax is well-formed: modifiers joined by commas or pipes. */
export const wellFormedPrompts = fc
  .array(fc.tuple(modifier, fc.constantFrom(', ', ',', ' | ')), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.map(([text, separator], index) => (index === 0 ? text : separator + text)).join(''));

/** Text with no bracket, comma or pipe. */
export const plainTexts = fc.string({ unit: fc.constantFrom('a', 'B', ' ', ':', '1', '.', '\\', 'é', '-') });
