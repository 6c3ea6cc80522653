import { bpeTokenizerFiles } from './bpe-tokenizer-json';
import { BYTE_TO_CHARACTER, preTokenize } from './byte-level';
import { type SpecialTokens, specialTokenList, specialTokenSplitter } from './special-tokens';
import type { TokenizerFiles } from './tokenizer-files';

/** Options of {@link trainBpeTokenizer}. */
export interface BpeTrainingOptions {
  /** Final vocabulary size including the special tokens and the 256 byte symbols. */
  vocabSize: number;
  /** Special tokens, given the first ids in the order bos, eos, pad, unk, additional. Default: `<|endoftext|>` as bos and eos, `<|pad|>` as pad. */
  specialTokens?: SpecialTokens;
  /** A pair seen fewer times than this in the corpus is never merged, even if the vocabulary is not full. Default 2. */
  minFrequency?: number;
  /** Written to tokenizer_config.json as `model_max_length`. Default 1024. */
  modelMaxLength?: number;
}

/** The default special tokens of a trained tokenizer. */
export const DEFAULT_SPECIAL_TOKENS: SpecialTokens = { bos: '<|endoftext|>', eos: '<|endoftext|>', pad: '<|pad|>' };

/** Largest number of BPE symbols, so that a pair packs into one exactly representable number. */
const SYMBOL_LIMIT = 2 ** 24;

/** Max-heap of pairs by count, ties to the smaller pair key, so training is deterministic. */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.counts.length;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    let index = this.counts.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  /** Removes the top entry and returns it as [count, key]. */
  pop(): [number, number] {
    const top: [number, number] = [this.counts[0]!, this.keys[0]!];
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let best = index;
        if (left < this.counts.length && this.before(left, best)) best = left;
        if (right < this.counts.length && this.before(right, best)) best = right;
        if (best === index) break;
        this.swap(index, best);
        index = best;
      }
    }
    return top;
  }

  private before(first: number, second: number): boolean {
    const countFirst = this.counts[first]!;
    const countSecond = this.counts[second]!;
    return countFirst > countSecond || (countFirst === countSecond && this.keys[first]! < this.keys[second]!);
  }

  private swap(first: number, second: number): void {
    [this.counts[first], this.counts[second]] = [this.counts[second]!, this.counts[first]!];
    [this.keys[first], this.keys[second]] = [this.keys[second]!, this.keys[first]!];
  }
}

/**
 * Trains a byte-level BPE tokenizer (GPT-2's byte alphabet and pre-tokenisation) on a corpus and
 * returns its `tokenizer.json` and `tokenizer_config.json`, which @huggingface/tokenizers (and
 * Python's `tokenizers`) load as they are.
 *
 * Training repeatedly merges the most frequent adjacent pair of symbols within pre-tokenised words.
 * Pair counts are kept incrementally: a merge only revisits the words that contain the pair, so
 * the cost of a merge is proportional to how often the pair occurs, not to the corpus size.
 * Special tokens occurring in the corpus are cut out before counting, so they never take part in merges.
 *
 * @param corpus documents (any iterable, e.g. lines of a file)
 */
export function trainBpeTokenizer(corpus: Iterable<string>, options: BpeTrainingOptions): TokenizerFiles {
  const specialTokens = options.specialTokens ?? DEFAULT_SPECIAL_TOKENS;
  const specials = specialTokenList(specialTokens);
  const minFrequency = options.minFrequency ?? 2;
  const targetSymbols = options.vocabSize - specials.length;
  if (!Number.isInteger(options.vocabSize) || targetSymbols < 256) {
    throw new RangeError(
      `vocabSize must be an integer >= 256 + the ${specials.length} special tokens = ${256 + specials.length}; got ${options.vocabSize}`,
    );
  }
  if (targetSymbols > SYMBOL_LIMIT) throw new RangeError(`vocabSize must be at most ${SYMBOL_LIMIT}`);

  // 1. Count pre-tokenised words (as UTF-8 byte strings), skipping special tokens.
  const split = specialTokenSplitter(specials);
  const specialSet = new Set(specials);
  const wordFrequency = new Map<string, number>();
  for (const document of corpus) {
    for (const part of split(document)) {
      if (specialSet.has(part)) continue;
      for (const word of preTokenize(part)) wordFrequency.set(word, (wordFrequency.get(word) ?? 0) + 1);
    }
  }

  // 2. Words as arrays of symbol ids: 0..255 are bytes, merged symbols follow.
  const encoder = new TextEncoder();
  const words: number[][] = [];
  const frequencies: number[] = [];
  for (const [word, frequency] of wordFrequency) {
    words.push(Array.from(encoder.encode(word)));
    frequencies.push(frequency);
  }
  const symbols: string[] = [...BYTE_TO_CHARACTER];
  const symbolIds = new Map<string, number>(symbols.map((symbol, id) => [symbol, id]));

  // 3. Pair counts (weighted by word frequency) and, per pair, the words it occurs in (a word may
  // stay listed after the pair left it; such entries are skipped). A pair is one number,
  // left * stride + right; a power-of-two stride just above the vocabulary keeps keys small integers.
  let stride = 256;
  while (stride < targetSymbols) stride *= 2;
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  const listWord = (key: number, wordIndex: number) => {
    const list = pairWords.get(key);
    if (list === undefined) pairWords.set(key, [wordIndex]);
    else if (list[list.length - 1] !== wordIndex) list.push(wordIndex);
  };
  const change = (key: number, delta: number) => {
    const count = (pairCounts.get(key) ?? 0) + delta;
    if (count === 0) {
      pairCounts.delete(key);
      pairWords.delete(key);
    } else {
      pairCounts.set(key, count);
    }
  };
  words.forEach((word, wordIndex) => {
    for (let position = 0; position + 1 < word.length; position++) {
      const key = word[position]! * stride + word[position + 1]!;
      change(key, frequencies[wordIndex]!);
      listWord(key, wordIndex);
    }
  });
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) heap.push(count, key);

  // 4. Merge the most frequent pair until the vocabulary is full or no pair is frequent enough.
  const merges: [string, string][] = [];
  const lastVisited = new Int32Array(words.length).fill(-1);
  const grown = new Set<number>();
  while (symbols.length < targetSymbols && heap.size > 0) {
    const [count, key] = heap.pop();
    const current = pairCounts.get(key) ?? 0;
    if (count !== current) {
      // A count that grew was pushed again when it grew; a count that shrank is re-queued now.
      if (current < count && current > 0) heap.push(current, key);
      continue;
    }
    if (count < minFrequency) break;
    const left = Math.floor(key / stride);
    const right = key % stride;
    const mergedText = symbols[left]! + symbols[right]!;
    let merged = symbolIds.get(mergedText);
    if (merged === undefined) {
      merged = symbols.length;
      symbols.push(mergedText);
      symbolIds.set(mergedText, merged);
    }
    merges.push([symbols[left]!, symbols[right]!]);

    // Only the pairs around each occurrence change: (previous, left) becomes (previous, merged) and
    // (right, next) becomes (merged, next). "previous" is read from the already merged output, so
    // back-to-back occurrences (a b a b -> m m) cancel their intermediate pairs correctly.
    grown.clear();
    const occurrences = pairWords.get(key) ?? [];
    for (const wordIndex of occurrences) {
      if (lastVisited[wordIndex] === merges.length) continue;
      lastVisited[wordIndex] = merges.length;
      const word = words[wordIndex]!;
      const frequency = frequencies[wordIndex]!;
      const output: number[] = [];
      let position = 0;
      while (position < word.length) {
        if (position + 1 < word.length && word[position] === left && word[position + 1] === right) {
          change(key, -frequency);
          if (output.length > 0) {
            const previous = output[output.length - 1]!;
            change(previous * stride + left, -frequency);
            const added = previous * stride + merged;
            change(added, frequency);
            listWord(added, wordIndex);
            grown.add(added);
          }
          if (position + 2 < word.length) {
            const next = word[position + 2]!;
            change(right * stride + next, -frequency);
            const added = merged * stride + next;
            change(added, frequency);
            listWord(added, wordIndex);
            grown.add(added);
          }
          output.push(merged);
          position += 2;
        } else {
          output.push(word[position]!);
          position += 1;
        }
      }
      words[wordIndex] = output;
    }
    pairCounts.delete(key);
    pairWords.delete(key);
    for (const pairKey of grown) {
      const now = pairCounts.get(pairKey);
      if (now !== undefined && now > 0) heap.push(now, pairKey);
    }
  }

  return bpeTokenizerFiles({
    symbols,
    merges,
    specialTokens,
    modelMaxLength: options.modelMaxLength ?? 1024,
  });
}
