import { type AttentionToken, attentionTokens, isValidWeight, openerOf } from './attention-tokens';

/** Largest weight magnitude kept: prompt sites use 0.5 to 1.5; a `(8k:11.3)` is a model's slip, not an emphasis. */
const MAX_WEIGHT = 2;

function isUsableWeight(weight: string): boolean {
  return isValidWeight(weight) && Math.abs(Number(weight)) <= MAX_WEIGHT;
}

/** `:1` written just before a group's own weight (`(a:1:1.2)`): a second weight the group cannot have. */
function isStrayWeight(previous: AttentionToken | undefined, beforeThat: AttentionToken | undefined): boolean {
  return (
    previous?.kind === 'text' &&
    /^\s*[+-]?[\d.]+\s*$/.test(previous.text) &&
    beforeThat?.kind === 'text' &&
    beforeThat.text === ':'
  );
}

/** A group opened by `(` or `[` and not closed yet. */
interface OpenGroup {
  bracket: '(' | '[';
  /** Whether the group holds anything but whitespace so far. */
  filled: boolean;
  /** Index of its opening bracket among the repaired pieces. */
  at: number;
}

/**
 * Whether `text` holds attention-weight syntax that AUTOMATIC1111 would misread or reject: a `(` or `[` that is never
 * closed, a `)` or `]` that closes nothing or the other kind of bracket, a weight that is not one decimal number
 * (`(a:1.1.1.3)`, `(a:)`) or is beyond ±2 (`(a:11.3)`), two weights (`(a:1:1.2)`), or an empty group (`()`, `[ ]`,
 * `(:1.2)`). Escaped brackets (`\(`) are text.
 */
export function hasBrokenWeightSyntax(text: string): boolean {
  const open: OpenGroup[] = [];
  const tokens = attentionTokens(text);
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const innermost = open[open.length - 1];
    if (token.kind === 'open') {
      open.push({ bracket: token.bracket, filled: false, at: 0 });
    } else if (token.kind === 'text') {
      if (innermost !== undefined && token.text.trim() !== '') innermost.filled = true;
    } else {
      if (innermost === undefined || innermost.bracket !== openerOf(token.bracket) || !innermost.filled) return true;
      if (token.weight !== undefined && !isUsableWeight(token.weight)) return true;
      if (token.weight !== undefined && isStrayWeight(tokens[index - 1], tokens[index - 2])) return true;
      open.pop();
      const outer = open[open.length - 1];
      if (outer !== undefined) outer.filled = true;
    }
  }
  return open.length > 0;
}

/**
 * Makes attention-weight syntax well-formed the way AUTOMATIC1111 reads it, changing nothing that is already
 * well-formed (see {@link hasBrokenWeightSyntax}):
 * - a weight that is not one decimal number keeps its longest decimal prefix (`(a:1.1.1.3)` -> `(a:1.1)`) or, without
 *   one, is dropped (`(a:)` -> `(a)`); so is a weight beyond ±2 (`(a:11.3)` -> `(a)`);
 * - a second weight before a group's own is dropped (`(a:1:1.2)` -> `(a:1.2)`);
 * - a `)` or `]` that closes nothing or the other kind of bracket is dropped, with its weight;
 * - a `(` or `[` never closed is dropped (`(8k` -> `8k`), its text kept;
 * - an empty group (`()`, `( )`, `(:1.2)`) loses its brackets and weight, keeping any whitespace inside.
 * Escaped brackets (`\(`) are text and stay. The result passes {@link hasBrokenWeightSyntax}, and repairing it again
 * changes nothing.
 */
export function repairWeightSyntax(text: string): string {
  let repaired = text;
  // A pass can expose a new problem: dropping `:1.2)` right after a lone backslash makes it escape the bracket that
  // follows. Each pass that changes the text shortens it, so the loop ends.
  for (let next = repairPass(repaired); next !== repaired; next = repairPass(repaired)) repaired = next;
  return repaired;
}

function repairPass(text: string): string {
  const pieces: string[] = [];
  const open: OpenGroup[] = [];
  const tokens = attentionTokens(text);
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const innermost = open[open.length - 1];
    if (token.kind === 'open') {
      open.push({ bracket: token.bracket, filled: false, at: pieces.length });
      pieces.push(token.text);
      continue;
    }
    if (token.kind === 'text') {
      pieces.push(token.text);
      if (innermost !== undefined && token.text.trim() !== '') innermost.filled = true;
      continue;
    }
    if (innermost === undefined || innermost.bracket !== openerOf(token.bracket)) continue;
    open.pop();
    if (!innermost.filled) {
      // Its whitespace stays, so that the words either side stay apart.
      pieces[innermost.at] = '';
      continue;
    }
    if (token.weight !== undefined && isStrayWeight(tokens[index - 1], tokens[index - 2])) pieces.splice(-2, 2);
    pieces.push(
      token.weight === undefined || isUsableWeight(token.weight) ? token.text : closeWithPrefix(token.weight),
    );
    const outer = open[open.length - 1];
    if (outer !== undefined) outer.filled = true;
  }
  for (const group of open) pieces[group.at] = '';
  return pieces.join('');
}

/** `:w)` with w the longest decimal number that starts `weight`, or `)` when none does or it is beyond ±2. */
function closeWithPrefix(weight: string): string {
  const prefix = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)/.exec(weight);
  return prefix === null || !isUsableWeight(prefix[0]) ? ')' : `:${prefix[0]})`;
}
