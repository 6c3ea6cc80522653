import fc from 'fast-check';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { RewardError } from '../errors';
import { clipImagePreprocessing, type ImagePreprocessing, preprocessImages, resizedSize } from './image-preprocessing';

const { mean, std } = clipImagePreprocessing;
const normalized = (byte: number, channel: number) => (byte / 255 - mean[channel]!) / std[channel]!;
const square = (side: number): ImagePreprocessing => ({
  ...clipImagePreprocessing,
  shortestEdge: side,
  cropSize: side,
});

/** RGB bytes of an image whose pixel (x, y) is (10x + y, 100 + y, 200 - x), easy to follow by hand. */
function gradient(width: number, height: number): Uint8Array {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set([10 * x + y, 100 + y, 200 - x], (y * width + x) * 3);
  }
  return pixels;
}

describe('preprocessImages', () => {
  it('crops the centre rows of a tall 2x3 image and normalises each channel (NCHW)', async () => {
    const values = await preprocessImages([{ width: 2, height: 3, pixels: gradient(2, 3) }], square(2));
    // Shortest side is already 2; top = floor((3 - 2) / 2) = 0, so rows 0 and 1 stay.
    const expected: number[] = [];
    for (let channel = 0; channel < 3; channel++) {
      for (const [x, y] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        expected.push(normalized([10 * x + y, 100 + y, 200 - x][channel]!, channel));
      }
    }
    expect([...values]).toEqual(expected.map((value) => expect.closeTo(value, 6)));
  });

  it('crops the centre columns of a wide 6x2 image', async () => {
    const values = await preprocessImages([{ width: 6, height: 2, pixels: gradient(6, 2) }], square(2));
    // left = floor((6 - 2) / 2) = 2: columns 2 and 3. Red channel of (x, y) is 10x + y.
    expect([...values.slice(0, 4)]).toEqual([20, 30, 21, 31].map((red) => expect.closeTo(normalized(red, 0), 6)));
  });

  it('keeps a uniform colour uniform through the bicubic resize, from PNG with alpha', async () => {
    const png = await sharp({
      create: { width: 7, height: 5, channels: 4, background: { r: 30, g: 140, b: 250, alpha: 1 } },
    })
      .png()
      .toBuffer();
    const values = await preprocessImages([{ png: new Uint8Array(png) }], square(3));
    expect(values.length).toBe(3 * 9);
    for (let channel = 0; channel < 3; channel++) {
      for (const value of values.slice(channel * 9, (channel + 1) * 9)) {
        expect(value).toBeCloseTo(normalized([30, 140, 250][channel]!, channel), 5);
      }
    }
  });

  it('turns a grey PNG into three equal channels', async () => {
    const png = await sharp(Buffer.from([0, 64, 128, 255]), { raw: { width: 2, height: 2, channels: 1 } })
      .png()
      .toBuffer();
    const values = await preprocessImages([{ png: new Uint8Array(png) }], square(2));
    for (let channel = 0; channel < 3; channel++) {
      expect([...values.slice(channel * 4, channel * 4 + 4)]).toEqual(
        [0, 64, 128, 255].map((grey) => expect.closeTo(normalized(grey, channel), 5)),
      );
    }
  });

  it('resizes the shortest side to 224 and truncates the other side as transformers does', () => {
    expect(resizedSize(300, 200, 224)).toEqual({ width: 336, height: 224 });
    expect(resizedSize(200, 301, 224)).toEqual({ width: 224, height: 337 });
    expect(resizedSize(224, 224, 224)).toEqual({ width: 224, height: 224 });
  });

  it('gives 224x224 crops by default', async () => {
    const values = await preprocessImages([{ width: 30, height: 20, pixels: gradient(30, 20) }]);
    expect(values.length).toBe(3 * 224 * 224);
    expect(values.every(Number.isFinite)).toBe(true);
  });

  it('names the image with a wrong byte count and the channels it seems to have', async () => {
    const error = await preprocessImages(
      [
        { width: 2, height: 2, pixels: gradient(2, 2) },
        { width: 2, height: 2, pixels: new Uint8Array(16) },
      ],
      square(2),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RewardError);
    expect((error as RewardError).field).toBe('images[1].pixels');
    expect(String(error)).toMatch(/4 channels/);
  });

  it('rejects arbitrary bytes after a PNG signature with an error naming the image, never a crash', async () => {
    const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (tail) => {
        const error = await preprocessImages([{ png: Uint8Array.from([...signature, ...tail]) }], square(2)).catch(
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(RewardError);
        expect((error as RewardError).field).toBe('images[0]');
      }),
      { numRuns: 60 },
    );
  });

  it('rejects a truncated real PNG', async () => {
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const error = await preprocessImages([{ png: new Uint8Array(png.subarray(0, png.length - 20)) }], square(2)).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(RewardError);
  });
});
