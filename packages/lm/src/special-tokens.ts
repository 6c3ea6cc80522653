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
