import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskTokens } from './mask-tokens';

const minusInfinity = Number.NEGATIVE_INFINITY;

describe('maskTokens', () => {
  const row = Float32Array.from([0.5, 1, -2, 3]);

  it('keeps only allowed ids', () => {
    expect(Array.from(maskTokens(row, { allow: [3, 1] }))).toEqual([minusInfinity, 1, minusInfinity, 3]);
  });

  it('removes denied ids, also from the allowed ones', () => {
    expect(Array.from(maskTokens(row, { deny: [0] }))).toEqual([minusInfinity, 1, -2, 3]);
    expect(Array.from(maskTokens(row, { allow: Int32Array.from([1, 3]), deny: [3] }))).toEqual([
      minusInfinity,
      1,
      minusInfinity,
      minusInfinity,
    ]);
  });

  it('rejects masks that remove every token, and ids outside the row', () => {
    expect(() => maskTokens(row, { allow: [] })).toThrow(/allow: the masks remove every token/);
    expect(() => maskTokens(row, { deny: [0, 1, 2, 3] })).toThrow(/deny: the masks remove every token/);
    expect(() => maskTokens(row, { allow: [1], deny: [1] })).toThrow(/allow\/deny/);
    expect(() => maskTokens(Float32Array.from([minusInfinity, 1]), { allow: [0] })).toThrow(/remove every token/);
    expect(() => maskTokens(row, { allow: [4] })).toThrow(/allow\[0\]: expected a token id in \[0, 3\]/);
    expect(() => maskTokens(row, { deny: [1, -1] })).toThrow(/deny\[1\]/);
  });

  it('is idempotent and only ever removes tokens', () => {
    const ids = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 });
    fc.assert(
      fc.property(fc.option(ids, { nil: undefined }), ids, (allow, deny) => {
        const survivors = [0, 1, 2, 3].filter(
          (id) => (allow === undefined || allow.includes(id)) && !deny.includes(id),
        );
        if (survivors.length === 0) {
          expect(() => maskTokens(row, { allow, deny })).toThrow(/remove every token/);
          return;
        }
        const masked = maskTokens(row, { allow, deny });
        expect(maskTokens(masked, { allow, deny })).toEqual(masked);
        masked.forEach((value, id) => {
          expect(value).toBe(survivors.includes(id) ? row[id] : minusInfinity);
        });
      }),
    );
  });
});
