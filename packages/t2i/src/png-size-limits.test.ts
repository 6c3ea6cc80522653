import { describe, expect, it } from 'vitest';
import { checkPngSize, defaultImageSizeLimits, ImageTooLargeError } from './png-size-limits';
import { testPng } from './testing/index';
import { TextToImageError } from './text-to-image-error';

/**
 * A PNG signature and IHDR chunk built by hand (PNG specification, section 11.2.2): length 13, "IHDR", width,
 * height, bit depth 8, colour type 6 (RGBA), compression 0, filter 0, interlace 0, then the CRC of type + data.
 */
function pngHeader(width: number, height: number, crc: number): Uint8Array {
  const bytes = new Uint8Array(33);
  const view = new DataView(bytes.buffer);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  view.setUint32(8, 13);
  bytes.set([0x49, 0x48, 0x44, 0x52], 12);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24);
  view.setUint32(29, crc);
  return bytes;
}

// CRCs of "IHDR" + data, computed with Python's zlib.crc32 (an independent implementation):
// zlib.crc32(b"IHDR" + struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
const hugeCrc = 0x14c90b66; // w = h = 2147483647
const smallCrc = 0xa14b7c1f; // w = 64, h = 48
const zeroWidthCrc = 0x3ff17bbf; // w = 0, h = 48

const context = { backend: 'a1111', url: 'http://127.0.0.1:1/sdapi/v1/txt2img', field: 'images[0]' };

describe('checkPngSize', () => {
  it('rejects a header that claims 2147483647 x 2147483647 pixels, naming the backend and field', () => {
    const error = (() => {
      try {
        checkPngSize(pngHeader(2147483647, 2147483647, hugeCrc), undefined, context);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ImageTooLargeError);
    expect(error).toBeInstanceOf(TextToImageError);
    expect(error).toMatchObject({ backend: 'a1111', field: 'images[0]', width: 2147483647, height: 2147483647 });
    expect((error as Error).message).toContain('a1111 backend at http://127.0.0.1:1/sdapi/v1/txt2img');
    expect((error as Error).message).toContain('images[0] declares 2147483647 x 2147483647 pixels');
  });

  it('accepts a small hand-built header and a real PNG', () => {
    expect(checkPngSize(pngHeader(64, 48, smallCrc), undefined, context)).toEqual({ width: 64, height: 48 });
    expect(checkPngSize(testPng(20, 10, 1), undefined, context)).toEqual({ width: 20, height: 10 });
  });

  it('applies each limit: width, height and pixel count, at the boundary', () => {
    const png = testPng(30, 20, 2);
    expect(checkPngSize(png, { maxWidth: 30, maxHeight: 20, maxPixels: 600 }, context)).toEqual({
      width: 30,
      height: 20,
    });
    for (const limits of [{ maxWidth: 29 }, { maxHeight: 19 }, { maxPixels: 599 }]) {
      expect(() => checkPngSize(png, limits, context)).toThrow(ImageTooLargeError);
    }
    expect(defaultImageSizeLimits).toEqual({ maxWidth: 16384, maxHeight: 16384, maxPixels: 268435456 });
  });

  it('rejects bytes that are not a PNG: other formats, a bad CRC, a cut header, a zero width', () => {
    const cases = [
      new TextEncoder().encode('GIF89a, certainly not a PNG at all....'),
      pngHeader(64, 48, smallCrc ^ 1),
      pngHeader(64, 48, smallCrc).subarray(0, 30),
      pngHeader(0, 48, zeroWidthCrc),
    ];
    for (const bytes of cases) {
      expect(() => checkPngSize(bytes, undefined, context)).toThrow('images[0] is not a PNG image');
    }
  });
});
