/**
 * GPT-2's byte-level alphabet: every byte 0..255 gets a printable Unicode character, so that any
 * UTF-8 byte string is a string of visible symbols and no byte is ever out of vocabulary.
 * Printable Latin-1 bytes map to themselves; the other 68 bytes (controls, space, NBSP, soft
 * hyphen) map, in byte order, to U+0100 onwards. Space therefore becomes 'Ġ' (U+0120).
 */
function buildByteToCharacter(): string[] {
  const printable = (byte: number) =>
    (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
  const table: string[] = new Array(256);
  let next = 0x100;
  for (let byte = 0; byte < 256; byte++) {
    table[byte] = String.fromCharCode(printable(byte) ? byte : next++);
  }
  return table;
}

/** Character of each byte 0..255 in GPT-2's byte-level alphabet. */
export const BYTE_TO_CHARACTER: readonly string[] = buildByteToCharacter();

/** Inverse of {@link BYTE_TO_CHARACTER}: alphabet character -> byte. */
export const CHARACTER_TO_BYTE: ReadonlyMap<string, number> = new Map(
  BYTE_TO_CHARACTER.map((character, byte) => [character, byte]),
);

/**
 * GPT-2's pre-tokenisation: English contractions, letter runs and digit runs (each with one
 * optional leading space), runs of other symbols, and whitespace, where a whitespace run that is
 * followed by a word gives up its last space to that word. Every character of the input lands in
 * exactly one piece, so concatenating the pieces restores the text.
 */
export const PRE_TOKENIZE_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const utf8 = new TextEncoder();

/** Splits text into GPT-2 pre-tokens (the words BPE never merges across). */
export function preTokenize(text: string): string[] {
  return text.match(PRE_TOKENIZE_PATTERN) ?? [];
}

/** UTF-8 encodes a piece and spells its bytes in the byte-level alphabet. */
export function toByteLevel(piece: string): string {
  let result = '';
  for (const byte of utf8.encode(piece)) result += BYTE_TO_CHARACTER[byte];
  return result;
}
