import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { trainBpeTokenizer } from './bpe-trainer';
import { BYTE_TO_CHARACTER, preTokenize } from './byte-level';

/** Merges learned by the plain algorithm: recount every pair from scratch before each merge. */
function referenceMerges(corpus: string[], vocabSize: number, specialCount: number, minFrequency: number) {
  const limit = 2 ** 21;
  const counts = new Map<string, number>();
  for (const text of corpus) for (const word of preTokenize(text)) counts.set(word, (counts.get(word) ?? 0) + 1);
  const encoder = new TextEncoder();
  const words = [...counts].map(([word, count]) => ({ symbols: Array.from(encoder.encode(word)), count }));
  const symbols = [...BYTE_TO_CHARACTER];
  const merges: [string, string][] = [];
  while (symbols.length < vocabSize - specialCount) {
    const pairCounts = new Map<number, number>();
    for (const { symbols: word, count } of words) {
      for (let i = 0; i + 1 < word.length; i++) {
        const key = word[i]! * limit + word[i + 1]!;
        pairCounts.set(key, (pairCounts.get(key) ?? 0) + count);
      }
    }
    let bestKey = -1;
    let bestCount = 0;
    for (const [key, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && key < bestKey)) [bestKey, bestCount] = [key, count];
    }
    if (bestKey < 0 || bestCount < minFrequency) break;
    const left = Math.floor(bestKey / limit);
    const right = bestKey % limit;
    const text = symbols[left]! + symbols[right]!;
    let merged = symbols.indexOf(text);
    if (merged < 0) merged = symbols.push(text) - 1;
    merges.push([symbols[left]!, symbols[right]!]);
    for (const word of words) {
      const next: number[] = [];
      for (let i = 0; i < word.symbols.length; i++) {
        if (word.symbols[i] === left && word.symbols[i + 1] === right && i + 1 < word.symbols.length) {
          next.push(merged);
          i++;
        } else next.push(word.symbols[i]!);
      }
      word.symbols = next;
    }
  }
  return merges;
}

const mergesOf = (files: { tokenizerJson: Record<string, unknown> }) =>
  (files.tokenizerJson.model as { merges: [string, string][] }).merges;

describe('trainBpeTokenizer', () => {
  it('learns the hand-computed merges of a tiny corpus', () => {
    // Words: "ab" x1, " ab" x2, " cd" x1. Pair counts: (a,b)=3, (Ġ,a)=2, (Ġ,c)=1, (c,d)=1.
    // Merge (a,b); then (Ġ,ab)=2; the rest occur once, below minFrequency 2.
    const files = trainBpeTokenizer(['ab ab ab cd'], { vocabSize: 1000, minFrequency: 2 });
    expect(mergesOf(files)).toEqual([
      ['a', 'b'],
      ['Ġ', 'ab'],
    ]);
    const vocab = (files.tokenizerJson.model as { vocab: Record<string, number> }).vocab;
    expect(vocab['<|endoftext|>']).toBe(0);
    expect(vocab['<|pad|>']).toBe(1);
    expect(vocab.ab).toBe(2 + 256);
    expect(vocab.Ġab).toBe(2 + 257);
    expect(Object.keys(vocab)).toHaveLength(2 + 256 + 2);
  });

  it('stops at vocabSize', () => {
    const corpus = ['the quick brown fox jumps over the lazy dog '.repeat(20)];
    const files = trainBpeTokenizer(corpus, { vocabSize: 2 + 256 + 5, minFrequency: 1 });
    expect(mergesOf(files)).toHaveLength(5);
  });

  it('never merges across or into special tokens found in the corpus', () => {
    const files = trainBpeTokenizer(['x<|endoftext|>x<|endoftext|>x<|endoftext|>'], {
      vocabSize: 300,
      minFrequency: 1,
    });
    const symbols = mergesOf(files).flat();
    expect(symbols.some((symbol) => symbol.includes('|'))).toBe(false);
  });

  it('matches the recount-everything reference on random corpora', () => {
    const word = fc.constantFrom('the', 'cat', 'sat', 'on', 'mat', 'ca', 'at', 'th', 'é', '🐱', '11', '!', "'s");
    const documents = fc.array(
      fc.array(word, { minLength: 1, maxLength: 12 }).map((words) => words.join(' ')),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(documents, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 3 }), (corpus, extra, min) => {
        const vocabSize = 2 + 256 + extra;
        const trained = mergesOf(trainBpeTokenizer(corpus, { vocabSize, minFrequency: min }));
        expect(trained).toEqual(referenceMerges(corpus, vocabSize, 2, min));
      }),
      { numRuns: 150 },
    );
  });

  it('rejects a vocabulary too small for bytes and special tokens', () => {
    expect(() => trainBpeTokenizer(['a'], { vocabSize: 257 })).toThrow(/= 258; got 257/);
  });
});
