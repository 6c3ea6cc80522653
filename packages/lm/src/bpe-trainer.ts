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

/** Symbols are packed into one number per pair; 2^21 symbols is far beyond any vocabulary trained here. */
const SYMBOL_LIMIT = 2 ** 21;

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

  // 3. Initial pair counts and, per pair, the words it occurs in (possibly listed twice).
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  // Count of each pair touched by the current merge, as it was before the merge.
  const before = new Map<number, number>();
  const addOccurrences = (wordIndex: number, sign: number, onlyWithSymbol?: number) => {
    const word = words[wordIndex]!;
    const frequency = frequencies[wordIndex]! * sign;
    for (let position = 0; position + 1 < word.length; position++) {
      const left = word[position]!;
      const right = word[position + 1]!;
      const key = left * SYMBOL_LIMIT + right;
      const previous = pairCounts.get(key) ?? 0;
      if (!before.has(key)) before.set(key, previous);
      pairCounts.set(key, previous + frequency);
      if (sign > 0 && (onlyWithSymbol === undefined || left === onlyWithSymbol || right === onlyWithSymbol)) {
        const list = pairWords.get(key);
        if (list === undefined) pairWords.set(key, [wordIndex]);
        else if (list[list.length - 1] !== wordIndex) list.push(wordIndex);
      }
    }
  };
  for (let index = 0; index < words.length; index++) addOccurrences(index, 1);
  before.clear();
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) heap.push(count, key);

  // 4. Merge the most frequent pair until the vocabulary is full or no pair is frequent enough.
  const merges: [string, string][] = [];
  const lastVisited = new Int32Array(words.length).fill(-1);
  while (symbols.length < targetSymbols && heap.size > 0) {
    const [count, key] = heap.pop();
    const current = pairCounts.get(key) ?? 0;
    if (count !== current) {
      // Counts that grew were pushed again when they grew; counts that shrank are re-queued now.
      if (current < count && current > 0) heap.push(current, key);
      continue;
    }
    if (count < minFrequency || count <= 0) break;
    const left = Math.floor(key / SYMBOL_LIMIT);
    const right = key % SYMBOL_LIMIT;
    const mergedText = symbols[left]! + symbols[right]!;
    let merged = symbolIds.get(mergedText);
    if (merged === undefined) {
      merged = symbols.length;
      symbols.push(mergedText);
      symbolIds.set(mergedText, merged);
    }
    merges.push([symbols[left]!, symbols[right]!]);

    before.clear();
    for (const wordIndex of pairWords.get(key) ?? []) {
      if (lastVisited[wordIndex] === merges.length) continue;
      lastVisited[wordIndex] = merges.length;
      const word = words[wordIndex]!;
      const replaced: number[] = [];
      for (let position = 0; position < word.length; position++) {
        if (word[position] === left && word[position + 1] === right && position + 1 < word.length) {
          replaced.push(merged);
          position++;
        } else {
          replaced.push(word[position]!);
        }
      }
      if (replaced.length === word.length) continue;
      addOccurrences(wordIndex, -1);
      words[wordIndex] = replaced;
      addOccurrences(wordIndex, 1, merged);
    }
    pairCounts.delete(key);
    pairWords.delete(key);
    for (const [pairKey, previous] of before) {
      const now = pairCounts.get(pairKey) ?? 0;
      if (now <= 0) {
        pairCounts.delete(pairKey);
        pairWords.delete(pairKey);
      } else if (now > previous) {
        heap.push(now, pairKey);
      }
    }
  }

  return bpeTokenizerFiles({
    symbols,
    merges,
    specialTokens,
    modelMaxLength: options.modelMaxLength ?? 1024,
  });
}
