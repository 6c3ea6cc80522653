import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bannedNgramTokens, banTokens } from './no-repeat-ngram';

/**
 * The definition read literally: token t is banned when appending it makes the history's last n tokens equal to an
 * n-gram that already occurs in the history.
 */
function bruteForceBans(history: readonly number[], size: number): number[] {
  const ngrams = new Set<string>();
  for (let start = 0; start + size <= history.length; start++) ngrams.add(history.slice(start, start + size).join());
  const largest = Math.max(-1, ...history);
  const banned: number[] = [];
  for (let token = 0; token <= largest + 1; token++) {
    const extended = [...history, token];
    if (extended.length >= size && ngrams.has(extended.slice(-size).join())) banned.push(token);
  }
  return banned;
}

describe('bannedNgramTokens', () => {
  it('bans the tokens that followed earlier occurrences of the last n - 1 tokens', () => {
    // Prefix [1, 2]; the trigram (1, 2, 3) is in the history, so 3 would repeat it.
    expect(bannedNgramTokens([1, 2, 3, 1, 2], 3)).toEqual([3]);
    // Prefix [5]; the bigrams starting with 5 are (5, 6) and (5, 7).
    expect(bannedNgramTokens([5, 6, 5, 7, 5], 2)).toEqual([6, 7]);
    // Prefix [9]: 9 occurs only last, so no earlier bigram starts with it.
    expect(bannedNgramTokens([5, 6, 5, 7, 9], 2)).toEqual([]);
    // Prefix [4, 4]; trigrams (4, 4, 4) and (4, 4, 8) both start with it, the first ending at the last token.
    expect(bannedNgramTokens([4, 4, 8, 4, 4, 4], 3)).toEqual([4, 8]);
    // Hugging Face's docstring example, as word ids: "Today I'm not sure if I'm" with n = 2 bans "not".
    const [today, i, not, sure, ifWord] = [0, 1, 2, 3, 4];
    expect(bannedNgramTokens([today, i, not, sure, ifWord, i], 2)).toEqual([not]);
  });

  it('with n = 1 bans every token of the history, each once', () => {
    expect(bannedNgramTokens([4, 2, 4, 9], 1)).toEqual([2, 4, 9]);
    expect(bannedNgramTokens([0], 1)).toEqual([0]);
  });

  it('bans nothing while the history is shorter than n', () => {
    expect(bannedNgramTokens([], 1)).toEqual([]);
    expect(bannedNgramTokens([], 3)).toEqual([]);
    expect(bannedNgramTokens([1, 1], 3)).toEqual([]);
    expect(bannedNgramTokens([7, 7, 7], 4)).toEqual([]);
    // Exactly n tokens hold one n-gram: (1, 1) bans 1 after the prefix [1].
    expect(bannedNgramTokens([1, 1], 2)).toEqual([1]);
  });

  it('rejects sizes below 1 and ids that are not integers >= 0, naming them', () => {
    expect(() => bannedNgramTokens([1], 0)).toThrow(/size: expected an integer >= 1, got 0/);
    expect(() => bannedNgramTokens([1], 1.5)).toThrow(/size/);
    expect(() => bannedNgramTokens([1, -1], 2)).toThrow(/history\[1\]: expected a token id/);
    expect(() => bannedNgramTokens([0.5], 2)).toThrow(/history\[0\]/);
  });

  it('matches the brute-force definition on random histories', () => {
    fc.assert(
      fc.property(
        // A small alphabet makes repeated n-grams common.
        fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        (history, size) => {
          expect(bannedNgramTokens(history, size)).toEqual(bruteForceBans(history, size));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('banTokens', () => {
  it('returns a copy with the banned ids at -Infinity', () => {
    const row = Float32Array.from([1, 2, 3]);
    expect(Array.from(banTokens(row, [0, 2], 'ngramHistory'))).toEqual([
      Number.NEGATIVE_INFINITY,
      2,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(Array.from(row)).toEqual([1, 2, 3]);
  });

  it('rejects ids outside the row and bans that leave no finite logit', () => {
    const row = Float32Array.from([1, Number.NEGATIVE_INFINITY]);
    expect(() => banTokens(row, [2], 'ngramHistory')).toThrow(/ngramHistory: expected a token id in \[0, 1\], got 2/);
    expect(() => banTokens(row, [0], 'ngramHistory')).toThrow(/noRepeatNgramSize: every token/);
  });
});
