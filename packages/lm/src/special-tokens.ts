/** The named special tokens a causal LM relies on, as token strings (e.g. `<|endoftext|>`). */
export interface SpecialTokens {
  /** Beginning of sequence. */
  bos?: string;
  /** End of sequence: generation stops here. */
  eos?: string;
  /** Padding for batches; never attended to. */
  pad?: string;
  /** Unknown token; byte-level BPE never needs one, other tokenizers may. */
  unk?: string;
  /** Further tokens that must never be split or merged (e.g. chat-template markers). */
  additional?: string[];
}

/** Ids of the named special tokens of a loaded tokenizer; absent when the tokenizer has none. */
export interface SpecialTokenIds {
  bos?: number;
  eos?: number;
  pad?: number;
  unk?: number;
}

/** The distinct special token strings in id order: bos, eos, pad, unk, then additional ones. */
export function specialTokenList(tokens: SpecialTokens): string[] {
  const ordered = [tokens.bos, tokens.eos, tokens.pad, tokens.unk, ...(tokens.additional ?? [])];
  const result: string[] = [];
  for (const token of ordered) {
    if (token === undefined) continue;
    if (token.length === 0) throw new Error('special tokens must be non-empty strings');
    if (!result.includes(token)) result.push(token);
  }
  return result;
}

/**
 * A function splitting text into runs of plain text and whole special tokens, preferring the
 * longest special token where several start at the same place (as @huggingface/tokenizers does).
 */
export function specialTokenSplitter(specials: readonly string[]): (text: string) => string[] {
  if (specials.length === 0) return (text) => (text.length === 0 ? [] : [text]);
  const escaped = [...specials]
    .sort((left, right) => right.length - left.length)
    .map((token) => token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = new RegExp(`(${escaped.join('|')})`, 'u');
  return (text) => text.split(pattern).filter((part) => part.length > 0);
}

/** Names used for each special token by the common tokenizer families, in the order they are tried. */
const CONVENTIONAL_NAMES: Record<keyof SpecialTokenIds, readonly string[]> = {
  bos: ['<s>', '<bos>', '<|begin_of_text|>', '<|startoftext|>', '[CLS]'],
  eos: ['</s>', '<eos>', '<|endoftext|>', '<|end_of_text|>', '[SEP]'],
  pad: ['<pad>', '[PAD]', '<|pad|>'],
  unk: ['<unk>', '[UNK]', '<|unk|>'],
};

/** tokenizer_config.json keys that stand in for a missing one (BERT-style files name [CLS]/[SEP], not bos/eos). */
const CONFIG_STAND_INS: Record<keyof SpecialTokenIds, readonly string[]> = {
  bos: ['bos_token', 'cls_token'],
  eos: ['eos_token', 'sep_token'],
  pad: ['pad_token'],
  unk: ['unk_token'],
};

function specialTokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/** The unknown token a `tokenizer.json` model declares: `unk_token`, or the piece at `unk_id` for Unigram. */
function modelUnknownToken(tokenizerJson: Record<string, unknown>): string | undefined {
  const model = tokenizerJson.model as { unk_token?: unknown; unk_id?: unknown; vocab?: unknown } | undefined;
  if (typeof model?.unk_token === 'string') return model.unk_token;
  if (typeof model?.unk_id === 'number' && Array.isArray(model.vocab)) {
    const piece = (model.vocab as unknown[])[model.unk_id];
    if (Array.isArray(piece) && typeof piece[0] === 'string') return piece[0];
  }
  return undefined;
}

/**
 * Resolves bos / eos / pad / unk to token strings. For each name, in order:
 * 1. tokenizer_config.json's `<name>_token`; an explicit `null` means the tokenizer has none and ends the search;
 * 2. a stand-in key of tokenizer_config.json: `cls_token` for bos, `sep_token` for eos;
 * 3. for unk, the model's own `unk_token` (or Unigram's `unk_id`);
 * 4. the first conventional name in the vocabulary: `<s>`/`</s>`/`<pad>`/`<unk>` (BPE, Unigram), GPT-style
 *    `<|endoftext|>` and friends, then BERT's `[CLS]`/`[SEP]`/`[PAD]`/`[UNK]` (WordPiece, WordLevel).
 * Only tokens that `hasToken` knows are kept, so a name the vocabulary lacks resolves to nothing.
 */
export function resolveSpecialTokens(
  tokenizerConfig: Record<string, unknown>,
  tokenizerJson: Record<string, unknown>,
  hasToken: (token: string) => boolean,
): Partial<Record<keyof SpecialTokenIds, string>> {
  const resolved: Partial<Record<keyof SpecialTokenIds, string>> = {};
  for (const name of ['bos', 'eos', 'pad', 'unk'] as const) {
    if (tokenizerConfig[`${name}_token`] === null) continue;
    const candidates = [
      ...CONFIG_STAND_INS[name].map((key) => specialTokenContent(tokenizerConfig[key])),
      name === 'unk' ? modelUnknownToken(tokenizerJson) : undefined,
      ...CONVENTIONAL_NAMES[name],
    ];
    const token = candidates.find((candidate) => candidate !== undefined && hasToken(candidate));
    if (token !== undefined) resolved[name] = token;
  }
  return resolved;
}
