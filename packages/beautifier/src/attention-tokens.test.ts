import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { attentionTokens, isValidWeight } from './attention-tokens';

describe('attentionTokens', () => {
  it("splits a prompt as AUTOMATIC1111's parser does", () => {
    expect(attentionTokens('(a:1.2), [b] \\(c\\)')).toEqual([
      { kind: 'open', bracket: '(', text: '(' },
      { kind: 'text', text: 'a' },
      { kind: 'close', bracket: ')', weight: '1.2', text: ':1.2)' },
      { kind: 'text', text: ', ' },
      { kind: 'open', bracket: '[', text: '[' },
      { kind: 'text', text: 'b' },
      { kind: 'close', bracket: ']', weight: undefined, text: ']' },
      { kind: 'text', text: ' ' },
      { kind: 'text', text: '\\(' },
      { kind: 'text', text: 'c' },
      { kind: 'text', text: '\\)' },
    ]);
    // A colon that no weight and `)` follow is text; `: 1.1.1.3 )` and `:)` are weights, malformed ones.
    expect(attentionTokens('a: b (c: 1.1.1.3 ) (d:)').map((token) => token.text)).toEqual([
      'a',
      ':',
      ' b ',
      '(',
      'c',
      ': 1.1.1.3 )',
      ' ',
      '(',
      'd',
      ':)',
    ]);
    expect(attentionTokens('(d:)')[2]).toEqual({ kind: 'close', bracket: ')', weight: '', text: ':)' });
    // A lone backslash is text; a doubled one is an escaped backslash, so the bracket after it opens a group.
    expect(attentionTokens('\\a\\\\(').map((token) => token.kind)).toEqual(['text', 'text', 'text', 'open']);
  });

  it('gives the text back when its tokens are joined', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', ' ', '(', ')', '[', ']', ':', '1', '.', '\\', ',') }),
        (text) => {
          expect(
            attentionTokens(text)
              .map((token) => token.text)
              .join(''),
          ).toBe(text);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('isValidWeight', () => {
  it('accepts one decimal number and nothing else', () => {
    for (const weight of ['1.2', '0.5', '2', '.8', '-1', '+1.25', '10']) expect(isValidWeight(weight)).toBe(true);
    for (const weight of ['1.1.1.3', '1.', '.', '', '+', '1..2', '-']) expect(isValidWeight(weight)).toBe(false);
  });
});
