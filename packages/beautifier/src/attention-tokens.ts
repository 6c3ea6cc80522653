/** One piece of a prompt as AUTOMATIC1111's `parse_prompt_attention` splits it. */
export type AttentionToken =
  | { kind: 'open'; bracket: '(' | '['; text: string }
  /** `)` or `]`; `weight` is the text between `:` and `)` of `:1.2)` (possibly malformed or empty), else undefined. */
  | { kind: 'close'; bracket: ')' | ']'; weight: string | undefined; text: string }
  /** Plain text, an escaped bracket or backslash (`\(`), a lone backslash or a colon that weighs nothing. */
  | { kind: 'text'; text: string };

// AUTOMATIC1111's re_attention, alternative for alternative, except that a weight may be empty or malformed here
// (`:)`, `:1.1.1.3)`): the web UI would read `:)` as text and fail on float('1.1.1.3'); this reading lets the repair
// see both as a weight to fix.
const TOKEN = /\\[()[\]\\]|\\|\(|\[|:\s*([+-]?[.\d]*)\s*\)|\)|\]|[^\\()[\]:]+|:/gy;

/** Splits `text` into attention tokens; their texts joined give `text` back. */
export function attentionTokens(text: string): AttentionToken[] {
  const tokens: AttentionToken[] = [];
  // Every character starts one of the alternatives, so the sticky matches cover the whole text.
  for (const match of text.matchAll(TOKEN)) {
    const piece = match[0];
    if (piece === '(' || piece === '[') tokens.push({ kind: 'open', bracket: piece, text: piece });
    else if (piece === ')' || piece === ']')
      tokens.push({ kind: 'close', bracket: piece, weight: undefined, text: piece });
    else if (match[1] !== undefined) tokens.push({ kind: 'close', bracket: ')', weight: match[1], text: piece });
    else tokens.push({ kind: 'text', text: piece });
  }
  return tokens;
}

/** A weight AUTOMATIC1111 parses as one decimal number: `1.2`, `0.5`, `2`, `.8`, `-1`. */
export function isValidWeight(weight: string): boolean {
  return /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$/.test(weight);
}

/** The opening bracket a closing one pairs with. */
export function openerOf(bracket: ')' | ']'): '(' | '[' {
  return bracket === ')' ? '(' : '[';
}
