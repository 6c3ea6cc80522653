import type { TextTokenizer } from '@diffchat/lm';

/** Token ids and attention mask of a text batch, each row padded to the same length. */
export interface ClipTextBatch {
  /** Row-major [texts, length]. */
  inputIds: number[];
  /** 1 for tokens, 0 for padding, row-major [texts, length]. */
  attentionMask: number[];
  /** Columns per row. */
  length: number;
}

/** CLIP's context length. */
export const clipContextLength = 77;

/**
 * Tokenises texts as CLIP does: the tokenizer's own special tokens (start and end of text), truncated to
 * `maxLength` with the end token kept last (CLIP pools at the end token), padded to exactly `maxLength` with the
 * pad token (else the end token).
 */
export function tokenizeForClip(
  tokenizer: TextTokenizer,
  texts: readonly string[],
  maxLength = clipContextLength,
): ClipTextBatch {
  const { pad, eos } = tokenizer.specialTokenIds;
  const padding = pad ?? eos ?? 0;
  const inputIds = new Array<number>(texts.length * maxLength).fill(padding);
  const attentionMask = new Array<number>(texts.length * maxLength).fill(0);
  texts.forEach((text, row) => {
    let ids = tokenizer.encode(text);
    if (ids.length > maxLength) {
      const last = ids.at(-1)!;
      ids = last === eos ? [...ids.slice(0, maxLength - 1), last] : ids.slice(0, maxLength);
    }
    ids.forEach((id, column) => {
      inputIds[row * maxLength + column] = id;
      attentionMask[row * maxLength + column] = 1;
    });
  });
  return { inputIds, attentionMask, length: maxLength };
}
