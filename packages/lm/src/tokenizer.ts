import { Tokenizer } from '@huggingface/tokenizers';
import { ModelFormatError } from './model-format-error';
import type { SpecialTokenIds } from './special-tokens';
import {
  readTokenizerFiles,
  TOKENIZER_FILE,
  type TokenizerFiles,
  validateTokenizerConfig,
  validateTokenizerJson,
} from './tokenizer-files';

/** Options of {@link TextTokenizer.encode}. */
export interface EncodeOptions {
  /** Let the tokenizer's post-processor add its special tokens (e.g. a leading bos). Default true. */
  addSpecialTokens?: boolean;
}

/** Options of {@link TextTokenizer.decode}. */
export interface DecodeOptions {
  /** Leave special tokens out of the text. Default false. */
  skipSpecialTokens?: boolean;
  /** Remove the space before punctuation and contractions (" ." -> "."). Default: the tokenizer config's `clean_up_tokenization_spaces`, else true as in transformers. */
  cleanUpTokenizationSpaces?: boolean;
}

/** Options of {@link TextTokenizer.encodeBatch}. */
export interface BatchEncodeOptions extends EncodeOptions {
  /** Where padding goes: 'left' for generation (every prompt ends at the last column), 'right' for training. Default 'right'. */
  paddingSide?: 'left' | 'right';
  /** Pad to the longest sequence of the batch or always to `maxLength`. Default 'longest'. */
  padTo?: 'longest' | 'max-length';
  /** Longest sequence allowed, in tokens. Default: no limit (required when padTo is 'max-length'). */
  maxLength?: number;
  /** Which end of a too-long sequence to cut, or false to throw instead. Default 'right'; 'left' keeps the most recent tokens. */
  truncation?: 'left' | 'right' | false;
  /** Id to pad with. Default: the pad token, else the eos token. */
  padTokenId?: number;
}

/** A padded batch; every row has the same length. */
export interface BatchEncoding {
  /** Token ids, [batch][sequence]. */
  inputIds: number[][];
  /** 1 for real tokens, 0 for padding, [batch][sequence]. */
  attentionMask: number[][];
  /** Number of real tokens in each row. */
  lengths: number[];
}

/** The tokenizer interface the models, trainers and apps use. */
export interface TextTokenizer {
  /** Number of embedding rows a model needs: the largest token id + 1. */
  readonly vocabSize: number;
  /** Ids of bos / eos / pad / unk, where the tokenizer defines them. */
  readonly specialTokenIds: SpecialTokenIds;
  /** The tokenizer's files, for saving it into a model directory. */
  readonly files: TokenizerFiles;
  /** Token ids of a text. */
  encode(text: string, options?: EncodeOptions): number[];
  /** Text of token ids; an empty list gives ''. */
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /** Encodes, truncates and pads a batch of texts. */
  encodeBatch(texts: readonly string[], options?: BatchEncodeOptions): BatchEncoding;
  /** Id of a token string, if it is in the vocabulary. */
  tokenToId(token: string): number | undefined;
  /** Token string of an id, if the id is in the vocabulary. */
  idToToken(id: number): string | undefined;
}

function specialTokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

class HuggingFaceTextTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly specialTokenIds: SpecialTokenIds;

  constructor(
    private readonly tokenizer: Tokenizer,
    readonly files: TokenizerFiles,
  ) {
    let largest = -1;
    for (const id of tokenizer.get_vocab(true).values()) largest = Math.max(largest, id);
    this.vocabSize = largest + 1;
    const ids: SpecialTokenIds = {};
    for (const name of ['bos', 'eos', 'pad', 'unk'] as const) {
      const content = specialTokenContent(files.tokenizerConfig[`${name}_token`]);
      const id = content === undefined ? undefined : tokenizer.token_to_id(content);
      if (id !== undefined) ids[name] = id;
    }
    this.specialTokenIds = ids;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    // The library rejects an empty list; the text of no tokens is the empty string.
    if (ids.length === 0) return '';
    return this.tokenizer.decode([...ids], {
      skip_special_tokens: options.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: options.cleanUpTokenizationSpaces ?? null,
    });
  }

  encodeBatch(texts: readonly string[], options: BatchEncodeOptions = {}): BatchEncoding {
    const { maxLength, paddingSide = 'right', padTo = 'longest', truncation = 'right' } = options;
    if (maxLength !== undefined && !(Number.isInteger(maxLength) && maxLength > 0)) {
      throw new RangeError(`maxLength must be a positive integer; got ${maxLength}`);
    }
    if (padTo === 'max-length' && maxLength === undefined) throw new RangeError("padTo 'max-length' needs maxLength");
    const padTokenId = options.padTokenId ?? this.specialTokenIds.pad ?? this.specialTokenIds.eos;
    const sequences = texts.map((text, index) => {
      const ids = this.encode(text, options);
      if (maxLength === undefined || ids.length <= maxLength) return ids;
      if (truncation === false) {
        throw new RangeError(`text ${index} has ${ids.length} tokens, more than maxLength ${maxLength}`);
      }
      return truncation === 'left' ? ids.slice(ids.length - maxLength) : ids.slice(0, maxLength);
    });
    const lengths = sequences.map((ids) => ids.length);
    const width = padTo === 'max-length' ? maxLength! : Math.max(0, ...lengths);
    if (padTokenId === undefined && lengths.some((length) => length < width)) {
      throw new Error('the batch needs padding but the tokenizer has no pad or eos token; pass padTokenId');
    }
    const inputIds: number[][] = [];
    const attentionMask: number[][] = [];
    for (const ids of sequences) {
      const padding = new Array<number>(width - ids.length).fill(padTokenId ?? 0);
      const ones = new Array<number>(ids.length).fill(1);
      const zeros = new Array<number>(padding.length).fill(0);
      const left = paddingSide === 'left';
      inputIds.push(left ? [...padding, ...ids] : [...ids, ...padding]);
      attentionMask.push(left ? [...zeros, ...ones] : [...ones, ...zeros]);
    }
    return { inputIds, attentionMask, lengths };
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }
}

/**
 * Builds a tokenizer from parsed `tokenizer.json` / `tokenizer_config.json` objects (validated
 * first, so a malformed file gives a {@link ModelFormatError} instead of a crash inside the library).
 */
export function createTokenizer(files: TokenizerFiles, source = TOKENIZER_FILE): TextTokenizer {
  const tokenizerJson = validateTokenizerJson(files.tokenizerJson, source);
  const tokenizerConfig = validateTokenizerConfig(files.tokenizerConfig);
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  } catch (error) {
    throw new ModelFormatError(source, `@huggingface/tokenizers cannot load it: ${(error as Error).message}`);
  }
  return new HuggingFaceTextTokenizer(tokenizer, { tokenizerJson, tokenizerConfig });
}

/**
 * Loads a Hugging Face tokenizer: from a directory holding `tokenizer.json` (and optionally
 * `tokenizer_config.json`), or from the parsed objects.
 */
export async function loadTokenizer(source: string | TokenizerFiles): Promise<TextTokenizer> {
  if (typeof source !== 'string') return createTokenizer(source);
  return createTokenizer(await readTokenizerFiles(source), `${source}/${TOKENIZER_FILE}`);
}
