import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BYTE_TO_CHARACTER, CHARACTER_TO_BYTE, preTokenize, toByteLevel } from './byte-level';

describe('byte-level alphabet', () => {
  it('maps printable Latin-1 to itself and the rest to U+0100 onwards in byte order', () => {
    expect(BYTE_TO_CHARACTER[0x41]).toBe('A');
    expect(BYTE_TO_CHARACTER[0xe9]).toBe('é');
    // Bytes 0..32 are the first 33 non-printable bytes: U+0100..U+0120.
    expect(BYTE_TO_CHARACTER[0]).toBe('\u0100');
    expect(BYTE_TO_CHARACTER[10]).toBe('Ċ');
    expect(BYTE_TO_CHARACTER[32]).toBe('Ġ');
    // 127..160 follow (34 bytes, U+0121..U+0142), then the soft hyphen 0xAD.
    expect(BYTE_TO_CHARACTER[127]).toBe('\u0121');
    expect(BYTE_TO_CHARACTER[0xad]).toBe('Ń');
    expect(new Set(BYTE_TO_CHARACTER).size).toBe(256);
    expect(CHARACTER_TO_BYTE.get('Ġ')).toBe(32);
  });

  it('spells UTF-8 bytes', () => {
    expect(toByteLevel(' é')).toBe('ĠÃ©'); // é = C3 A9
  });
});

describe('preTokenize', () => {
  it('splits like GPT-2 (hand-worked examples)', () => {
    expect(preTokenize("Hello world's  test")).toEqual(['Hello', ' world', "'s", ' ', ' test']);
    expect(preTokenize('a1234 b!!  \n')).toEqual(['a', '1234', ' b', '!!', '  \n']);
    expect(preTokenize('')).toEqual([]);
  });

  it('covers every character exactly once', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(preTokenize(text).join('')).toBe(text);
      }),
    );
  });
});
