import { Tokenizer } from '@huggingface/tokenizers';
import { ModelFormatError } from './model-format-error';
import { resolveSpecialTokens, type SpecialTokenIds } from './special-tokens';
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

class HuggingFaceTextTokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly specialTokenIds: SpecialTokenIds;

  constructor(
    private readonly tokenizer: Tokenizer,
    readonly files: TokenizerFiles,
    specialTokens: Partial<Record<keyof SpecialTokenIds, string>>,
    vocabSize: number,
  ) {
    this.vocabSize = vocabSize;
    const ids: SpecialTokenIds = {};
    for (const [name, token] of Object.entries(specialTokens) as [keyof SpecialTokenIds, string][]) {
      ids[name] = tokenizer.token_to_id(token)!;
    }
    this.specialTokenIds = ids;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const { ids, tokens } = this.tokenizer.encode(text, { add_special_tokens: options.addSpecialTokens ?? true });
    // The library gives `undefined` for a piece outside the vocabulary when the model has no unknown token.
    const missing = (ids as (number | undefined)[]).indexOf(undefined);
    if (missing >= 0) {
      throw new RangeError(`${JSON.stringify(tokens[missing])} is not in the vocabulary and the tokenizer has no unk`);
    }
    return ids;
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
  const vocabulary = vocabularyOf(tokenizerJson);
  const specialTokens = resolveSpecialTokens(tokenizerConfig, tokenizerJson, (token) => vocabulary.has(token));
  // WordLevel loads as the library's table-lookup model, which reads its unknown token from the config only.
  const libraryConfig = { ...tokenizerConfig, unk_token: tokenizerConfig.unk_token ?? specialTokens.unk ?? null };
  let tokenizer: Tokenizer;
  let largest = -1;
  try {
    tokenizer = new Tokenizer(tokenizerJson, libraryConfig);
    for (const id of tokenizer.get_vocab(true).values()) largest = Math.max(largest, id);
  } catch (error) {
    const message = (error as Error).message;
    const component = /^Unknown (\w+) type/.exec(message)?.[1];
    throw new ModelFormatError(
      source,
      `@huggingface/tokenizers cannot load it: ${message}`,
      component === undefined ? undefined : COMPONENT_FIELDS[component],
    );
  }
  return new HuggingFaceTextTokenizer(tokenizer, { tokenizerJson, tokenizerConfig }, specialTokens, largest + 1);
}

/** The tokenizer.json field holding each kind of component the library names in its "Unknown ... type" errors. */
const COMPONENT_FIELDS: Record<string, string> = {
  Normalizer: 'normalizer',
  PreTokenizer: 'pre_tokenizer',
  TokenizerModel: 'model.type',
  PostProcessor: 'post_processor',
  Decoder: 'decoder',
};

/** Token strings of a validated tokenizer.json: the model's vocabulary (Unigram's is a list of pieces) and added tokens. */
function vocabularyOf(tokenizerJson: Record<string, unknown>): Set<string> {
  const vocab = (tokenizerJson.model as { vocab: Record<string, number> | [string, number][] }).vocab;
  const tokens = new Set(Array.isArray(vocab) ? vocab.map(([piece]) => piece) : Object.keys(vocab));
  for (const added of tokenizerJson.added_tokens as { content: string }[]) tokens.add(added.content);
  return tokens;
}

/**
 * Loads a Hugging Face tokenizer: from a directory holding `tokenizer.json` (and optionally
 * `tokenizer_config.json`), or from the parsed objects.
 */
export async function loadTokenizer(source: string | TokenizerFiles): Promise<TextTokenizer> {
  if (typeof source !== 'string') return createTokenizer(source);
  return createTokenizer(await readTokenizerFiles(source), `${source}/${TOKENIZER_FILE}`);
}
