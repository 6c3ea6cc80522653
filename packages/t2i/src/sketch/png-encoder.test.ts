import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePng } from './decode-png.test-support';
import { crc32, encodePng } from './png-encoder';

describe('encodePng', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  it('writes opaque RGBA pixels that an independent decoder reads back exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer(),
        (width, height, seed) => {
          const data = new Uint8ClampedArray(width * height * 4);
          let state = seed | 0;
          for (let index = 0; index < data.length; index++) {
            state = (Math.imul(state, 1103515245) + 12345) | 0;
            data[index] = index % 4 === 3 ? 255 : (state >>> 16) & 0xff;
          }
          const png = encodePng(data, width, height);
          expect(Array.from(png.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
          const decoded = decodePng(png);
          expect([decoded.width, decoded.height]).toEqual([width, height]);
          expect(Array.from(decoded.data)).toEqual(Array.from(data));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rejects a buffer of the wrong length', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2)).toThrow(/expected 16 bytes for 2x2/);
  });
});
