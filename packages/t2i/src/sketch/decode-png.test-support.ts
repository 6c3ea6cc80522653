import { createCanvas, Image } from '@napi-rs/canvas';

/** Decodes PNG bytes with the canvas library's own decoder (independent of the renderer's encoder). */
export function decodePng(png: Uint8Array): { data: Uint8ClampedArray; width: number; height: number } {
  const image = new Image();
  image.src = Buffer.from(png);
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  return { data: context.getImageData(0, 0, image.width, image.height).data, width: image.width, height: image.height };
}

/** Mean Rec. 601 luma over all pixels, 0-255. */
export function meanLuma(pixels: { data: Uint8ClampedArray }): number {
  let sum = 0;
  for (let index = 0; index < pixels.data.length; index += 4) {
    sum += 0.299 * pixels.data[index]! + 0.587 * pixels.data[index + 1]! + 0.114 * pixels.data[index + 2]!;
  }
  return sum / (pixels.data.length / 4);
}

/** Mean absolute difference per colour channel of two images of one size, 0-255. */
export function meanAbsoluteDifference(left: { data: Uint8ClampedArray }, right: { data: Uint8ClampedArray }): number {
  let sum = 0;
  for (let index = 0; index < left.data.length; index++) {
    if (index % 4 !== 3) sum += Math.abs(left.data[index]! - right.data[index]!);
  }
  return sum / ((left.data.length / 4) * 3);
}

/**
 * A pixel-level aesthetic measure built from published image statistics, independent of the renderer:
 * colourfulness (Hasler and Suesstrunk 2003: sqrt(sd_rg^2 + sd_yb^2) + 0.3 sqrt(mean_rg^2 + mean_yb^2)),
 * RMS contrast (standard deviation of luma) and sharpness (mean absolute 4-neighbour Laplacian of luma).
 */
export function aestheticParts(pixels: { data: Uint8ClampedArray; width: number; height: number }): {
  colourfulness: number;
  contrast: number;
  sharpness: number;
} {
  const { data, width, height } = pixels;
  const count = width * height;
  const luma = new Float64Array(count);
  let sumRg = 0;
  let sumYb = 0;
  let sumRg2 = 0;
  let sumYb2 = 0;
  let sumLuma = 0;
  let sumLuma2 = 0;
  for (let pixel = 0; pixel < count; pixel++) {
    const red = data[pixel * 4]!;
    const green = data[pixel * 4 + 1]!;
    const blue = data[pixel * 4 + 2]!;
    const rg = red - green;
    const yb = 0.5 * (red + green) - blue;
    sumRg += rg;
    sumYb += yb;
    sumRg2 += rg * rg;
    sumYb2 += yb * yb;
    const value = 0.299 * red + 0.587 * green + 0.114 * blue;
    luma[pixel] = value;
    sumLuma += value;
    sumLuma2 += value * value;
  }
  const meanRg = sumRg / count;
  const meanYb = sumYb / count;
  const colourfulness =
    Math.sqrt(sumRg2 / count - meanRg ** 2 + (sumYb2 / count - meanYb ** 2)) +
    0.3 * Math.sqrt(meanRg ** 2 + meanYb ** 2);
  const contrast = Math.sqrt(sumLuma2 / count - (sumLuma / count) ** 2);
  let laplacian = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const at = y * width + x;
      laplacian += Math.abs(4 * luma[at]! - luma[at - 1]! - luma[at + 1]! - luma[at - width]! - luma[at + width]!);
    }
  }
  return { colourfulness, contrast, sharpness: laplacian / ((width - 2) * (height - 2)) };
}

/** Counts 4-connected components of pixels that satisfy `inside`, ignoring components smaller than `minimumArea`. */
export function countComponents(
  pixels: { data: Uint8ClampedArray; width: number; height: number },
  inside: (red: number, green: number, blue: number) => boolean,
  minimumArea: number,
): number {
  const { data, width, height } = pixels;
  const seen = new Uint8Array(width * height);
  let components = 0;
  for (let start = 0; start < width * height; start++) {
    if (seen[start] || !inside(data[start * 4]!, data[start * 4 + 1]!, data[start * 4 + 2]!)) continue;
    let area = 0;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const pixel = stack.pop()!;
      area += 1;
      const x = pixel % width;
      const neighbours = [x > 0 ? pixel - 1 : -1, x < width - 1 ? pixel + 1 : -1, pixel - width, pixel + width];
      for (const next of neighbours) {
        if (next < 0 || next >= width * height || seen[next]) continue;
        if (!inside(data[next * 4]!, data[next * 4 + 1]!, data[next * 4 + 2]!)) continue;
        seen[next] = 1;
        stack.push(next);
      }
    }
    if (area >= minimumArea) components += 1;
  }
  return components;
}

/** How many pixels differ by more than `threshold` levels in some channel between two images of one size. */
export function changedPixels(
  left: { data: Uint8ClampedArray },
  right: { data: Uint8ClampedArray },
  threshold: number,
): number {
  let changed = 0;
  for (let index = 0; index < left.data.length; index += 4) {
    const difference = Math.max(
      Math.abs(left.data[index]! - right.data[index]!),
      Math.abs(left.data[index + 1]! - right.data[index + 1]!),
      Math.abs(left.data[index + 2]! - right.data[index + 2]!),
    );
    if (difference > threshold) changed += 1;
  }
  return changed;
}
