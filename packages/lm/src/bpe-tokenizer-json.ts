import { type SpecialTokens, specialTokenList } from './special-tokens';
import type { TokenizerFiles } from './tokenizer-files';

/** What a byte-level BPE tokenizer consists of. */
export interface BpeTokenizerParts {
  /** Symbols in id order (before the special tokens are placed in front): the 256 byte characters, then merged symbols. */
  symbols: readonly string[];
  /** Merge rules in priority order, as pairs of symbols. */
  merges: readonly (readonly [string, string])[];
  specialTokens: SpecialTokens;
  modelMaxLength: number;
}

const BYTE_LEVEL = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };

/**
 * Writes a byte-level BPE tokenizer as `tokenizer.json` + `tokenizer_config.json`. Special tokens
 * take ids 0..k-1 and the symbols follow. `clean_up_tokenization_spaces` is off, because the
 * clean-up rewrites " ." to "." and would break decode(encode(text)) == text.
 */
export function bpeTokenizerFiles(parts: BpeTokenizerParts): TokenizerFiles {
  const specials = specialTokenList(parts.specialTokens);
  const vocab: Record<string, number> = {};
  specials.forEach((token, id) => {
    vocab[token] = id;
  });
  parts.symbols.forEach((symbol, index) => {
    if (symbol in vocab) throw new Error(`special token ${JSON.stringify(symbol)} collides with a BPE symbol`);
    vocab[symbol] = specials.length + index;
  });
  const addedToken = (content: string, id: number) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(addedToken),
    normalizer: null,
    pre_tokenizer: BYTE_LEVEL,
    post_processor: { ...BYTE_LEVEL, trim_offsets: false },
    decoder: BYTE_LEVEL,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: parts.merges.map(([left, right]) => [left, right]),
    },
  };
  const { bos, eos, pad, unk, additional } = parts.specialTokens;
  const addedTokensDecoder: Record<string, unknown> = {};
  specials.forEach((token, id) => {
    const { id: _id, ...rest } = addedToken(token, id);
    addedTokensDecoder[String(id)] = rest;
  });
  const tokenizerConfig = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    add_bos_token: false,
    add_eos_token: false,
    add_prefix_space: false,
    bos_token: bos ?? null,
    eos_token: eos ?? null,
    pad_token: pad ?? null,
    unk_token: unk ?? null,
    additional_special_tokens: additional ?? [],
    clean_up_tokenization_spaces: false,
    model_max_length: parts.modelMaxLength,
    added_tokens_decoder: addedTokensDecoder,
  };
  return { tokenizerJson, tokenizerConfig };
}
