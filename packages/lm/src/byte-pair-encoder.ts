import { CHARACTER_TO_BYTE, preTokenize, toByteLevel } from './byte-level';
import { ModelFormatError } from './model-format-error';
import { specialTokenSplitter } from './special-tokens';
import { TOKENIZER_FILE, validateTokenizerJson } from './tokenizer-files';

/** What {@link BytePairEncoder} needs: the vocabulary, merge rules in priority order and the special tokens. */
export interface BytePairEncoderParts {
  vocab: ReadonlyMap<string, number>;
  merges: readonly (readonly [string, string])[];
  specialTokens: readonly string[];
}

/**
 * This package's own byte-level BPE encoder (GPT-2's algorithm: within each pre-token, merge the
 * adjacent pair with the best rank everywhere it occurs, until no pair has a rank). It reads the
 * same vocabulary and merges as a trained `tokenizer.json`, and serves as an independent check of
 * the encodings @huggingface/tokenizers produces for trained tokenizers.
 */
export class BytePairEncoder {
  private readonly vocab: ReadonlyMap<string, number>;
  private readonly tokens: string[];
  private readonly ranks = new Map<string, number>();
  private readonly specials: Set<string>;
  private readonly split: (text: string) => string[];
  private readonly cache = new Map<string, number[]>();

  constructor(parts: BytePairEncoderParts) {
    this.vocab = parts.vocab;
    this.tokens = [];
    for (const [token, id] of parts.vocab) this.tokens[id] = token;
    // Byte-level symbols never contain a space (space is spelt 'Ġ'), so it can join the pair.
    parts.merges.forEach(([left, right], rank) => {
      const key = `${left} ${right}`;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
    });
    this.specials = new Set(parts.specialTokens);
    this.split = specialTokenSplitter(parts.specialTokens);
  }

  /**
   * Reads the vocabulary, merges and special tokens of a byte-level BPE `tokenizer.json` object
   * (model BPE, ByteLevel pre-tokenizer without prefix space, no normalizer), such as
   * `trainBpeTokenizer` writes.
   * @throws ModelFormatError for any other kind of tokenizer
   */
  static fromTokenizerJson(tokenizerJson: Record<string, unknown>, source = TOKENIZER_FILE): BytePairEncoder {
    const validated = validateTokenizerJson(tokenizerJson, source);
    const preTokenizer = validated.pre_tokenizer as { type?: string; add_prefix_space?: boolean } | null;
    const model = validated.model as {
      type: string;
      vocab: Record<string, number>;
      merges: (string | [string, string])[];
    };
    if (
      model.type !== 'BPE' ||
      preTokenizer?.type !== 'ByteLevel' ||
      preTokenizer.add_prefix_space ||
      validated.normalizer
    ) {
      throw new ModelFormatError(
        source,
        'not a byte-level BPE tokenizer (BPE model, ByteLevel pre-tokenizer, no normalizer)',
      );
    }
    const addedTokens = validated.added_tokens as { content: string; id: number }[];
    const vocab = new Map(Object.entries(model.vocab));
    for (const added of addedTokens) vocab.set(added.content, added.id);
    const merges = model.merges.map((merge) =>
      typeof merge === 'string' ? (merge.split(' ', 2) as [string, string]) : merge,
    );
    return new BytePairEncoder({ vocab, merges, specialTokens: addedTokens.map((added) => added.content) });
  }

  /** Token ids of `text`; special token strings in the text become their ids. */
  encode(text: string): number[] {
    const ids: number[] = [];
    for (const part of this.split(text)) {
      if (this.specials.has(part)) {
        ids.push(this.vocab.get(part)!);
        continue;
      }
      for (const piece of preTokenize(part)) ids.push(...this.encodeWord(toByteLevel(piece)));
    }
    return ids;
  }

  /** Text of token ids; bytes that do not form valid UTF-8 become U+FFFD. */
  decode(ids: readonly number[]): string {
    const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
    let text = '';
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length > 0) text += decoder.decode(new Uint8Array(bytes));
      bytes = [];
    };
    for (const id of ids) {
      const token = this.tokens[id];
      if (token === undefined) throw new RangeError(`token id ${id} is not in the vocabulary`);
      if (this.specials.has(token)) {
        flush();
        text += token;
        continue;
      }
      for (const character of token) bytes.push(CHARACTER_TO_BYTE.get(character)!);
    }
    flush();
    return text;
  }

  private encodeWord(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    let parts = Array.from(word);
    for (;;) {
      let bestRank = Number.POSITIVE_INFINITY;
      for (let index = 0; index + 1 < parts.length; index++) {
        const rank = this.ranks.get(`${parts[index]} ${parts[index + 1]}`);
        if (rank !== undefined && rank < bestRank) bestRank = rank;
      }
      if (bestRank === Number.POSITIVE_INFINITY) break;
      const merged: string[] = [];
      for (let index = 0; index < parts.length; index++) {
        const left = parts[index]!;
        const right = parts[index + 1];
        if (right !== undefined && this.ranks.get(`${left} ${right}`) === bestRank) {
          merged.push(left + right);
          index++;
        } else {
          merged.push(left);
        }
      }
      parts = merged;
    }
    const ids = parts.map((part) => {
      const id = this.vocab.get(part);
      if (id === undefined) throw new Error(`BPE symbol ${JSON.stringify(part)} is not in the vocabulary`);
      return id;
    });
    if (this.cache.size < 100_000) this.cache.set(word, ids);
    return ids;
  }
}
