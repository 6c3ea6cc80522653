import type { RgbImage } from '../reward';

/** The four parts of {@link pixelAesthetics}, each documented where it is computed. */
export interface PixelAesthetics {
  /** Hasler & Suesstrunk (2003) colourfulness M on 0-255 values: 0 for grey, about 100+ for vivid images. */
  colourfulness: number;
  /** Standard deviation of the luminance on [0, 1]. */
  contrast: number;
  /** Variance of the 4-neighbour Laplacian of the luminance on [0, 1], over interior pixels. */
  sharpness: number;
  /** 1 when the luminance-saliency centre of mass sits on a rule-of-thirds point, falling linearly to 0. */
  composition: number;
  /** `1 + 9 * (0.3 c + 0.3 k + 0.2 s + 0.2 p)` with each part scaled to [0, 1] (see below): an AVA-like 1-10 scale. */
  score: number;
}

/**
 * A pixel-level aesthetic measure, the label the embedded default's aesthetic head learns (it stands in for the
 * human ratings behind the LAION predictor). Parts, each clipped to [0, 1] before weighting:
 * colourfulness `M / 100`, contrast `std(Y) / 0.3`, sharpness `sqrt(var(laplacian Y)) / 0.3`, composition as
 * defined on {@link PixelAesthetics.composition}; Y = 0.2126 R + 0.7152 G + 0.0722 B (sRGB bytes / 255).
 */
export function pixelAesthetics(image: RgbImage): PixelAesthetics {
  const { width, height, pixels } = image;
  const count = width * height;
  const luminance = new Float64Array(count);
  let rgSum = 0;
  let ybSum = 0;
  let rgSquares = 0;
  let ybSquares = 0;
  for (let index = 0; index < count; index++) {
    const red = pixels[index * 3]!;
    const green = pixels[index * 3 + 1]!;
    const blue = pixels[index * 3 + 2]!;
    const rg = red - green;
    const yb = 0.5 * (red + green) - blue;
    rgSum += rg;
    ybSum += yb;
    rgSquares += rg * rg;
    ybSquares += yb * yb;
    luminance[index] = (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255;
  }
  const rgMean = rgSum / count;
  const ybMean = ybSum / count;
  const rgVariance = Math.max(0, rgSquares / count - rgMean * rgMean);
  const ybVariance = Math.max(0, ybSquares / count - ybMean * ybMean);
  const colourfulness = Math.sqrt(rgVariance + ybVariance) + 0.3 * Math.hypot(rgMean, ybMean);

  const luminanceMean = luminance.reduce((sum, value) => sum + value, 0) / count;
  const contrast = Math.sqrt(luminance.reduce((sum, value) => sum + (value - luminanceMean) ** 2, 0) / count);

  let laplacianSum = 0;
  let laplacianSquares = 0;
  let interior = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const at = y * width + x;
      const laplacian =
        luminance[at - 1]! + luminance[at + 1]! + luminance[at - width]! + luminance[at + width]! - 4 * luminance[at]!;
      laplacianSum += laplacian;
      laplacianSquares += laplacian * laplacian;
      interior++;
    }
  }
  const laplacianMean = interior > 0 ? laplacianSum / interior : 0;
  const sharpness = interior > 0 ? Math.max(0, laplacianSquares / interior - laplacianMean * laplacianMean) : 0;

  // Saliency: how far each pixel's luminance is from the mean; its centre of mass in [0, 1] coordinates.
  let mass = 0;
  let centreX = 0;
  let centreY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const saliency = Math.abs(luminance[y * width + x]! - luminanceMean);
      mass += saliency;
      centreX += saliency * ((x + 0.5) / width);
      centreY += saliency * ((y + 0.5) / height);
    }
  }
  let composition = 0;
  if (mass > 0) {
    centreX /= mass;
    centreY /= mass;
    const nearest = Math.min(
      ...[1 / 3, 2 / 3].flatMap((thirdX) =>
        [1 / 3, 2 / 3].map((thirdY) => Math.hypot(centreX - thirdX, centreY - thirdY)),
      ),
    );
    // 1/3 is the distance from a thirds point to the centre of the nearest edge: beyond it, no credit.
    composition = Math.max(0, 1 - nearest / (1 / 3));
  }
  const unit = (value: number) => Math.min(1, Math.max(0, value));
  const weighted =
    0.3 * unit(colourfulness / 100) +
    0.3 * unit(contrast / 0.3) +
    0.2 * unit(Math.sqrt(sharpness) / 0.3) +
    0.2 * composition;
  return { colourfulness, contrast, sharpness, composition, score: 1 + 9 * weighted };
}
