import { type AttentionToken, attentionTokens, openerOf } from './attention-tokens';

/** A token of {@link attentionTokens}, or a `,` or `|` that separates two modifiers. */
type Piece = AttentionToken | { kind: 'delimiter'; text: string };

/** A prompt cut into modifiers: segment k is pieces[starts[k]] up to pieces[ends[k]], delimiter k follows it. */
interface Segmented {
  pieces: Piece[];
  starts: number[];
  ends: number[];
  /** Index of each piece's partner bracket, -1 for an unmatched bracket or a piece that is no bracket. */
  partners: number[];
}

function segment(text: string): Segmented {
  const pieces: Piece[] = [];
  for (const token of attentionTokens(text)) {
    if (token.kind !== 'text') pieces.push(token);
    else {
      for (const part of token.text.split(/([,|])/)) {
        if (part === ',' || part === '|') pieces.push({ kind: 'delimiter', text: part });
        else if (part !== '') pieces.push({ kind: 'text', text: part });
      }
    }
  }
  const partners = pieces.map(() => -1);
  const open: number[] = [];
  const starts = [0];
  const ends: number[] = [];
  pieces.forEach((piece, index) => {
    if (piece.kind === 'open') open.push(index);
    else if (piece.kind === 'close') {
      const opener = open[open.length - 1];
      if (opener !== undefined && (pieces[opener] as { bracket: string }).bracket === openerOf(piece.bracket)) {
        open.pop();
        partners[opener] = index;
        partners[index] = opener;
      }
    } else if (piece.kind === 'delimiter') {
      ends.push(index);
      starts.push(index + 1);
    }
  });
  ends.push(pieces.length);
  return { pieces, starts, ends, partners };
}

/**
 * The form two modifiers are compared in: the text between the brackets and weights, lower case, without escapes,
 * without colons and the numbers after them, and without whitespace. `(High Contrast:1.2)` and `high contrast` are the
 * same modifier. Taking the text between the bracket tokens, rather than deleting brackets from the raw text, keeps a
 * weight from running into the text after it (`(a:1.2)8k`); with the whitespace gone too, the form stays as it is when
 * the repair drops or shortens brackets and weights, spaces inside them included.
 */
function modifierKey(pieces: readonly Piece[]): string {
  return pieces
    .map((piece) => (piece.kind === 'text' ? piece.text : ''))
    .join('')
    .replace(/[\\()[\]]/g, '')
    .replace(/:\s*[+-]?[.\d]*/g, '')
    .replace(/\s+/g, '')
    .toLowerCase();
}

/** For each segment, whether an earlier segment is the same modifier (empty segments are never repeats). */
function repeatedSegments({ pieces, starts, ends }: Segmented): boolean[] {
  const seen = new Set<string>();
  return starts.map((start, index) => {
    const key = modifierKey(pieces.slice(start, ends[index]));
    if (key === '') return false;
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  });
}

/**
 * Whether a comma- or pipe-separated modifier of `text` repeats an earlier one, compared as
 * {@link removeRepeatedModifiers} compares them.
 */
export function repeatsModifier(text: string): boolean {
  return repeatedSegments(segment(text)).includes(true);
}

/**
 * Drops every comma- or pipe-separated modifier that repeats an earlier one, keeping the first. Modifiers are
 * compared in lower case, without weights, brackets, escapes and whitespace, so
 * `an old windmill, An old windmill, (an old windmill:1.2)` becomes `an old windmill`. A dropped modifier goes with
 * the separator after it (before it, at the end). A bracket of a dropped modifier stays when its partner lies outside
 * the dropped ones, so a group over several modifiers keeps both brackets: `(a, b, a:1.2)` becomes `(a, b:1.2)`,
 * `a, (a, b)` becomes `a, (b)`. Such a group can end up empty (`a, b (, a)` becomes `a, b ()`), which
 * {@link cleanPrompt} repairs.
 */
export function removeRepeatedModifiers(text: string): string {
  const segmented = segment(text);
  const { pieces, starts, ends, partners } = segmented;
  const repeated = repeatedSegments(segmented);
  const textOf = (index: number) =>
    pieces
      .slice(starts[index], ends[index])
      .map((piece) => piece.text)
      .join('');
  const delimiterAfter = (index: number) => pieces[ends[index]!]!.text;
  // Segment 0 is never a repeat.
  let result = textOf(0);
  let index = 1;
  while (index < starts.length) {
    if (!repeated[index]) {
      result += delimiterAfter(index - 1) + textOf(index);
      index++;
      continue;
    }
    let last = index;
    while (last + 1 < starts.length && repeated[last + 1]) last++;
    const from = starts[index]!;
    const to = ends[last]!;
    const pairsOutside = (at: number) => partners[at]! >= 0 && (partners[at]! < from || partners[at]! >= to);
    const kept = pieces.slice(from, to).filter((piece, offset) => piece.kind !== 'text' && pairsOutside(from + offset));
    // In well-formed text the kept closing brackets all come before the kept opening ones.
    const firstOpener = kept.findIndex((piece) => piece.kind === 'open');
    const closers = (firstOpener < 0 ? kept : kept.slice(0, firstOpener)).map((piece) => piece.text).join('');
    const openers = (firstOpener < 0 ? [] : kept.slice(firstOpener)).map((piece) => piece.text).join('');
    if (last + 1 === starts.length) {
      // The run ends the prompt: the separator before it goes, with the spaces before that.
      result = result.trimEnd() + closers;
      break;
    }
    // The run takes the separator after it; the next modifier follows the separator before it.
    result += closers + delimiterAfter(index - 1);
    const next = textOf(last + 1);
    // A group that goes on in the next modifier keeps its opening brackets there.
    result += openers === '' ? next : /^\s*/.exec(textOf(index))![0] + openers + next.trimStart();
    index = last + 2;
  }
  return result;
}
