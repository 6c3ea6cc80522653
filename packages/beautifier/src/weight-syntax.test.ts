import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainTexts, promptLikeTexts, wellFormedPrompts } from '../test/prompt-arbitraries';
import { hasBrokenWeightSyntax, repairWeightSyntax } from './weight-syntax';

// [input, repaired], worked out by hand from the rules in repairWeightSyntax's documentation.
const repairs: [string, string][] = [
  ['(masterpiece:1.1.1.3)', '(masterpiece:1.1)'],
  ['(masterpiece: 1.1.1.3 ), 8k', '(masterpiece:1.1), 8k'],
  ['(a:.)', '(a)'],
  ['(a:)', '(a)'],
  ['(8k', '8k'],
  ['a, (8k, b', 'a, 8k, b'],
  ['((a:1.2)', '(a:1.2)'],
  ['a)', 'a'],
  ['masterpiece:1.2), 8k', 'masterpiece, 8k'],
  ['a]', 'a'],
  // `)` cannot close `[`: it is dropped, `]` closes `[`, and the `(` never closed goes.
  ['([a)]', '[a]'],
  ['()', ''],
  ['a, (), b', 'a, , b'],
  ['a ( ) b', 'a   b'],
  ['a( )b', 'a b'],
  ['(:1.2), a', ', a'],
  ['(()), a', ', a'],
  ['[ ]', ' '],
  // Dropping `:1.2)` after a lone backslash makes it escape the `(` that follows; the `)` then closes nothing.
  ['a\\:1.2)(b)', 'a\\(b'],
  // Weights a small model slips into: beyond ±2, and a second weight inside one group.
  ['(trending on artstation:11.1)', '(trending on artstation)'],
  ['(sharp focus:1:1)', '(sharp focus:1)'],
  ['(sharp focus:1:1.2), 8k', '(sharp focus:1.2), 8k'],
];

const wellFormed = [
  '(masterpiece:1.2), best quality',
  '((a:1.2))',
  '[a]',
  '[(a:1.2)]',
  '(a, b:1.3)',
  '(a:.8)',
  '(a:-1)',
  'an old windmill',
  'a \\(b\\)',
  '\\(',
  'a: b',
  '',
];

describe('repairWeightSyntax', () => {
  it.each(repairs)('repairs %j to %j', (input, repaired) => {
    expect(hasBrokenWeightSyntax(input)).toBe(true);
    expect(repairWeightSyntax(input)).toBe(repaired);
    expect(hasBrokenWeightSyntax(repaired)).toBe(false);
  });

  it.each(wellFormed)('leaves the well-formed %j as it is', (text) => {
    expect(hasBrokenWeightSyntax(text)).toBe(false);
    expect(repairWeightSyntax(text)).toBe(text);
  });

  it('always gives well-formed syntax, and repairing again changes nothing', () => {
    fc.assert(
      fc.property(fc.oneof(promptLikeTexts, fc.string()), (text) => {
        const repaired = repairWeightSyntax(text);
        expect(hasBrokenWeightSyntax(repaired)).toBe(false);
        expect(repairWeightSyntax(repaired)).toBe(repaired);
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves well-formed prompts and text without brackets unchanged', () => {
    fc.assert(
      fc.property(wellFormedPrompts, (text) => {
        expect(hasBrokenWeightSyntax(text)).toBe(false);
        expect(repairWeightSyntax(text)).toBe(text);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(plainTexts, (text) => {
        expect(hasBrokenWeightSyntax(text)).toBe(false);
        expect(repairWeightSyntax(text)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
