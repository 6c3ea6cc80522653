import { describe, expect, it } from 'vitest';
import { pixelAesthetics } from './pixel-aesthetics';

const image = (width: number, height: number, colour: (x: number, y: number) => [number, number, number]) => {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.set(colour(x, y), (y * width + x) * 3);
  return { width, height, pixels };
};

describe('pixelAesthetics', () => {
  it('gives a flat grey image no colour, contrast, sharpness or composition: score 1', () => {
    const result = pixelAesthetics(image(5, 4, () => [128, 128, 128]));
    expect(result).toEqual({ colourfulness: 0, contrast: 0, sharpness: 0, composition: 0, score: 1 });
  });

  it('computes Hasler-Suesstrunk colourfulness by hand on a red/blue image', () => {
    // Half red (255, 0, 0): rg = 255, yb = 127.5; half blue (0, 0, 255): rg = 0, yb = -255.
    const result = pixelAesthetics(image(2, 1, (x) => (x === 0 ? [255, 0, 0] : [0, 0, 255])));
    const rgStd = 127.5;
    const ybStd = (127.5 + 255) / 2;
    const expected = Math.hypot(rgStd, ybStd) + 0.3 * Math.hypot(127.5, (127.5 - 255) / 2);
    expect(result.colourfulness).toBeCloseTo(expected, 9);
    // Luminances 0.2126 and 0.0722: the std is half their difference.
    expect(result.contrast).toBeCloseTo((0.2126 - 0.0722) / 2, 12);
  });

  it('measures the Laplacian variance of one bright pixel in a dark 3x3 image', () => {
    // Only the centre is interior: its Laplacian is -4, so the variance over one pixel is 0.
    expect(pixelAesthetics(image(3, 3, (x, y) => (x === 1 && y === 1 ? [255, 255, 255] : [0, 0, 0]))).sharpness).toBe(
      0,
    );
    // 4x3: interior pixels (1,1) = bright and (2,1): Laplacians -4 and 1 -> mean -1.5, variance 6.25.
    const result = pixelAesthetics(image(4, 3, (x, y) => (x === 1 && y === 1 ? [255, 255, 255] : [0, 0, 0])));
    expect(result.sharpness).toBeCloseTo(6.25, 9);
  });

  it('credits a subject on a thirds point fully and a centred one not at all', () => {
    const onThirds = pixelAesthetics(image(3, 3, (x, y) => (x === 0 && y === 0 ? [255, 255, 255] : [0, 0, 0])));
    // Saliency is symmetric around the mean, so the centre of mass moves toward the bright pixel: not exactly 1/3.
    const centred = pixelAesthetics(image(3, 3, (x, y) => (x === 1 && y === 1 ? [255, 255, 255] : [0, 0, 0])));
    expect(centred.composition).toBeCloseTo(1 - Math.hypot(1 / 6, 1 / 6) * 3, 9);
    expect(onThirds.composition).toBeGreaterThan(centred.composition);
  });
});
