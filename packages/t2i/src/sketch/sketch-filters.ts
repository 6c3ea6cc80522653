/** RGBA pixels, row-major, 4 bytes per pixel (the layout of canvas ImageData). */
export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

/** Rec. 601 luma of a pixel, 0-255. */
export function luma(red: number, green: number, blue: number): number {
  return 0.299 * red + 0.587 * green + 0.114 * blue;
}

/**
 * Scales saturation (distance of each channel from the pixel's luma) and contrast (distance of each channel from
 * mid-grey 128) in place; 1 leaves a pixel unchanged, 0 makes it grey / flat mid-grey.
 */
export function adjustColour(pixels: Pixels, saturation: number, contrast: number): void {
  const data = pixels.data;
  for (let index = 0; index < data.length; index += 4) {
    const red = data[index]!;
    const green = data[index + 1]!;
    const blue = data[index + 2]!;
    const grey = 0.299 * red + 0.587 * green + 0.114 * blue;
    data[index] = 128 + (grey + (red - grey) * saturation - 128) * contrast;
    data[index + 1] = 128 + (grey + (green - grey) * saturation - 128) * contrast;
    data[index + 2] = 128 + (grey + (blue - grey) * saturation - 128) * contrast;
  }
}

/** Rounds each channel to one of `levels` evenly spaced values (levels >= 2). */
export function posterize(pixels: Pixels, levels: number): void {
  const step = 255 / (levels - 1);
  const table = new Uint8ClampedArray(256);
  for (let value = 0; value < 256; value++) table[value] = Math.round(value / step) * step;
  const data = pixels.data;
  for (let index = 0; index < data.length; index += 4) {
    data[index] = table[data[index]!]!;
    data[index + 1] = table[data[index + 1]!]!;
    data[index + 2] = table[data[index + 2]!]!;
  }
}

/** Mixes every pixel `amount` of the way towards a colour. */
export function mixTowards(pixels: Pixels, colour: readonly [number, number, number], amount: number): void {
  const data = pixels.data;
  for (let index = 0; index < data.length; index += 4) {
    for (let channel = 0; channel < 3; channel++) {
      data[index + channel] = data[index + channel]! + (colour[channel]! - data[index + channel]!) * amount;
    }
  }
}

/** Sobel gradient magnitude of the luma, one value per pixel (0 on the border), unclamped. */
export function sobelMagnitude(pixels: Pixels): Float32Array {
  const { data, width, height } = pixels;
  const grey = new Float32Array(width * height);
  for (let pixel = 0; pixel < grey.length; pixel++) {
    grey[pixel] = 0.299 * data[pixel * 4]! + 0.587 * data[pixel * 4 + 1]! + 0.114 * data[pixel * 4 + 2]!;
  }
  const magnitude = new Float32Array(width * height);
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const centre = y * width + x;
      const topLeft = grey[centre - width - 1]!;
      const top = grey[centre - width]!;
      const topRight = grey[centre - width + 1]!;
      const left = grey[centre - 1]!;
      const right = grey[centre + 1]!;
      const bottomLeft = grey[centre + width - 1]!;
      const bottom = grey[centre + width]!;
      const bottomRight = grey[centre + width + 1]!;
      const horizontal = topRight + 2 * right + bottomRight - topLeft - 2 * left - bottomLeft;
      const vertical = bottomLeft + 2 * bottom + bottomRight - topLeft - 2 * top - topRight;
      magnitude[centre] = Math.sqrt(horizontal * horizontal + vertical * vertical);
    }
  }
  return magnitude;
}

/** 3x3 box blur of the colour channels (edges clamp), into a new array; alpha is copied. */
export function boxBlur3(pixels: Pixels): Uint8ClampedArray {
  const { data, width, height } = pixels;
  // separable: sums of three along rows, then of three row sums along columns
  const rowSums = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const left = (y * width + Math.max(0, x - 1)) * 4;
      const centre = (y * width + x) * 4;
      const right = (y * width + Math.min(width - 1, x + 1)) * 4;
      const target = (y * width + x) * 3;
      rowSums[target] = data[left]! + data[centre]! + data[right]!;
      rowSums[target + 1] = data[left + 1]! + data[centre + 1]! + data[right + 1]!;
      rowSums[target + 2] = data[left + 2]! + data[centre + 2]! + data[right + 2]!;
    }
  }
  const out = new Uint8ClampedArray(data.length);
  for (let y = 0; y < height; y++) {
    const above = Math.max(0, y - 1) * width;
    const below = Math.min(height - 1, y + 1) * width;
    for (let x = 0; x < width; x++) {
      const pixel = y * width + x;
      for (let channel = 0; channel < 3; channel++) {
        const sum =
          rowSums[(above + x) * 3 + channel]! + rowSums[pixel * 3 + channel]! + rowSums[(below + x) * 3 + channel]!;
        out[pixel * 4 + channel] = sum / 9;
      }
      out[pixel * 4 + 3] = data[pixel * 4 + 3]!;
    }
  }
  return out;
}

/** Unsharp mask: pixel + amount * (pixel - 3x3 box blur of pixel). */
export function sharpen(pixels: Pixels, amount: number): void {
  const blurred = boxBlur3(pixels);
  const data = pixels.data;
  for (let index = 0; index < data.length; index += 4) {
    data[index] = data[index]! + amount * (data[index]! - blurred[index]!);
    data[index + 1] = data[index + 1]! + amount * (data[index + 1]! - blurred[index + 1]!);
    data[index + 2] = data[index + 2]! + amount * (data[index + 2]! - blurred[index + 2]!);
  }
}

/** Sepia tone (the common 3x3 sepia matrix). */
export function sepia(pixels: Pixels): void {
  const data = pixels.data;
  for (let index = 0; index < data.length; index += 4) {
    const red = data[index]!;
    const green = data[index + 1]!;
    const blue = data[index + 2]!;
    data[index] = 0.393 * red + 0.769 * green + 0.189 * blue;
    data[index + 1] = 0.349 * red + 0.686 * green + 0.168 * blue;
    data[index + 2] = 0.272 * red + 0.534 * green + 0.131 * blue;
  }
}

/**
 * Adds noise in [-amplitude, amplitude] to each pixel (the same for its three channels), from an integer hash of
 * the pixel index and `seed`, so that it costs no generator calls and is the same for the same seed.
 */
export function grain(pixels: Pixels, amplitude: number, seed: number): void {
  const data = pixels.data;
  for (let pixel = 0; pixel < data.length / 4; pixel++) {
    let hash = Math.imul(pixel ^ seed, 0x9e3779b1);
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
    hash ^= hash >>> 13;
    const noise = (((hash >>> 0) / 4294967296) * 2 - 1) * amplitude;
    const index = pixel * 4;
    data[index] = data[index]! + noise;
    data[index + 1] = data[index + 1]! + noise;
    data[index + 2] = data[index + 2]! + noise;
  }
}

const radialMaps = new Map<string, Float32Array>();

/**
 * Squared distance of every pixel from the point (fractionX * width, fractionY * height), divided by the squared
 * half diagonal; cached per size and point because every render of a size needs the same maps.
 */
export function radialMap(width: number, height: number, fractionX: number, fractionY: number): Float32Array {
  const key = `${width}x${height}@${fractionX},${fractionY}`;
  const cached = radialMaps.get(key);
  if (cached) return cached;
  const centreX = fractionX * (width - 1);
  const centreY = fractionY * (height - 1);
  const reach = ((width - 1) / 2) ** 2 + ((height - 1) / 2) ** 2;
  const map = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) map[y * width + x] = ((x - centreX) ** 2 + (y - centreY) ** 2) / reach;
  }
  radialMaps.set(key, map);
  return map;
}

/** Darkens towards the corners: pixel * (1 - strength * (distance from centre / half diagonal)^2). */
export function vignette(pixels: Pixels, strength: number): void {
  const { data, width, height } = pixels;
  const distance = radialMap(width, height, 0.5, 0.5);
  for (let pixel = 0; pixel < distance.length; pixel++) {
    const factor = 1 - strength * distance[pixel]!;
    const index = pixel * 4;
    data[index] = data[index]! * factor;
    data[index + 1] = data[index + 1]! * factor;
    data[index + 2] = data[index + 2]! * factor;
  }
}

/** The colour grade of a finished picture; neutral values leave it unchanged. */
export interface Grade {
  /** Saturation factor (1 neutral). */
  saturation: number;
  /** Contrast factor around mid-grey (1 neutral). */
  contrast: number;
  /** 0..1: warm, low sun from the left (golden hour). */
  warmth: number;
  /** 0..1: soft light from the top left that lifts the shadows. */
  softLight: number;
  /** 0..1: darkening of the corners. */
  vignette: number;
}

/**
 * Applies a {@link Grade} in one pass: saturation and contrast, then warm light (channels scaled by
 * (1, 0.92, 0.8) and a screen of orange falling off from (0.25, 0.5)), soft light (a screen of warm white falling
 * off from (0.2, 0.1)), then the vignette.
 */
export function gradeImage(pixels: Pixels, grade: Grade): void {
  const { data, width, height } = pixels;
  const centre = radialMap(width, height, 0.5, 0.5);
  const sun = radialMap(width, height, 0.25, 0.5);
  const sky = radialMap(width, height, 0.2, 0.1);
  const { saturation, contrast, warmth, softLight } = grade;
  for (let pixel = 0; pixel < centre.length; pixel++) {
    const index = pixel * 4;
    const red = data[index]!;
    const green = data[index + 1]!;
    const blue = data[index + 2]!;
    const grey = 0.299 * red + 0.587 * green + 0.114 * blue;
    let outRed = 128 + (grey + (red - grey) * saturation - 128) * contrast;
    let outGreen = 128 + (grey + (green - grey) * saturation - 128) * contrast;
    let outBlue = 128 + (grey + (blue - grey) * saturation - 128) * contrast;
    if (warmth > 0) {
      const glow = warmth * 0.55 * Math.max(0, 1 - sun[pixel]! * 1.4);
      outRed += (255 - outRed) * glow;
      outGreen = outGreen * (1 - 0.08 * warmth) + (255 - outGreen) * glow * 0.65;
      outBlue = outBlue * (1 - 0.2 * warmth) + (255 - outBlue) * glow * 0.2;
    }
    if (softLight > 0) {
      const light = softLight * (0.12 + 0.3 * Math.max(0, 1 - sky[pixel]!));
      outRed += (255 - outRed) * light;
      outGreen += (252 - outGreen) * light;
      outBlue += (240 - outBlue) * light;
    }
    const factor = 1 - grade.vignette * centre[pixel]!;
    data[index] = outRed * factor;
    data[index + 1] = outGreen * factor;
    data[index + 2] = outBlue * factor;
  }
}

/** Paints pixels whose Sobel magnitude exceeds `threshold` with `colour` (ink outlines). */
export function outline(pixels: Pixels, threshold: number, colour: readonly [number, number, number]): void {
  const edges = sobelMagnitude(pixels);
  const data = pixels.data;
  for (let pixel = 0; pixel < edges.length; pixel++) {
    if (edges[pixel]! > threshold) {
      data[pixel * 4] = colour[0];
      data[pixel * 4 + 1] = colour[1];
      data[pixel * 4 + 2] = colour[2];
    }
  }
}

/** Pencil drawing: dark strokes where the luma changes, light shading elsewhere, on warm paper. */
export function pencil(pixels: Pixels): void {
  const edges = sobelMagnitude(pixels);
  const data = pixels.data;
  for (let pixel = 0; pixel < edges.length; pixel++) {
    const index = pixel * 4;
    const grey = luma(data[index]!, data[index + 1]!, data[index + 2]!);
    const tone = Math.max(0, 248 - edges[pixel]! * 1.6 - (255 - grey) * 0.25);
    data[index] = tone;
    data[index + 1] = tone - 2;
    data[index + 2] = tone - 8;
  }
}

/** Neon: the scene almost black, its edges glowing in their own colour at full brightness. */
export function neonEdges(pixels: Pixels): void {
  const edges = sobelMagnitude(pixels);
  const data = pixels.data;
  for (let pixel = 0; pixel < edges.length; pixel++) {
    const index = pixel * 4;
    const red = data[index]!;
    const green = data[index + 1]!;
    const blue = data[index + 2]!;
    const brightest = Math.max(red, green, blue, 1);
    const minimum = Math.min(red, green, blue);
    // a grey edge gets magenta-cyan by position so that it still reads as neon
    const hue: readonly [number, number, number] =
      brightest - minimum < 30
        ? pixel % 2 === 0
          ? [255, 60, 220]
          : [60, 230, 255]
        : [(red / brightest) * 255, (green / brightest) * 255, (blue / brightest) * 255];
    const glow = Math.min(1, edges[pixel]! / 120);
    data[index] = red * 0.15 + hue[0] * glow;
    data[index + 1] = green * 0.15 + hue[1] * glow;
    data[index + 2] = blue * 0.2 + 10 + hue[2] * glow;
  }
}

/** Cinematic grade: shadows towards teal, highlights towards orange. */
export function tealOrange(pixels: Pixels, strength: number): void {
  const data = pixels.data;
  for (let index = 0; index < data.length; index += 4) {
    const light = luma(data[index]!, data[index + 1]!, data[index + 2]!) / 255;
    const shadow = (1 - light) * strength;
    const highlight = light * strength;
    data[index] = data[index]! + (0 - data[index]!) * shadow + (255 - data[index]!) * highlight * 0.6;
    data[index + 1] = data[index + 1]! + (110 - data[index + 1]!) * shadow + (150 - data[index + 1]!) * highlight * 0.4;
    data[index + 2] = data[index + 2]! + (120 - data[index + 2]!) * shadow + (40 - data[index + 2]!) * highlight * 0.6;
  }
}

/**
 * Stained glass: cells around a jittered grid of seeds, each filled with its seed's colour (more saturated),
 * with dark lead lines where neighbouring pixels belong to different cells.
 */
export function stainedGlass(pixels: Pixels, cellSize: number, random: () => number): void {
  const { data, width, height } = pixels;
  const columns = Math.ceil(width / cellSize) + 1;
  const rows = Math.ceil(height / cellSize) + 1;
  const seedX = new Float32Array(columns * rows);
  const seedY = new Float32Array(columns * rows);
  for (let cell = 0; cell < columns * rows; cell++) {
    seedX[cell] = ((cell % columns) + 0.15 + random() * 0.7) * cellSize;
    seedY[cell] = (Math.floor(cell / columns) + 0.15 + random() * 0.7) * cellSize;
  }
  const owner = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const column = Math.floor(x / cellSize);
      const row = Math.floor(y / cellSize);
      let best = 0;
      let bestDistance = Number.POSITIVE_INFINITY;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const neighbourColumn = column + dx;
          const neighbourRow = row + dy;
          if (neighbourColumn < 0 || neighbourRow < 0 || neighbourColumn >= columns || neighbourRow >= rows) continue;
          const cell = neighbourRow * columns + neighbourColumn;
          const distance = (seedX[cell]! - x) ** 2 + (seedY[cell]! - y) ** 2;
          if (distance < bestDistance) {
            bestDistance = distance;
            best = cell;
          }
        }
      }
      owner[y * width + x] = best;
    }
  }
  const source = Uint8ClampedArray.from(data);
  const colourOf = (cell: number, channel: number) => {
    const x = Math.min(width - 1, Math.max(0, Math.round(seedX[cell]!)));
    const y = Math.min(height - 1, Math.max(0, Math.round(seedY[cell]!)));
    return source[(y * width + x) * 4 + channel]!;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const pixel = y * width + x;
      const index = pixel * 4;
      const cell = owner[pixel]!;
      const border = (x + 1 < width && owner[pixel + 1] !== cell) || (y + 1 < height && owner[pixel + width] !== cell);
      if (border) {
        data[index] = 25;
        data[index + 1] = 22;
        data[index + 2] = 20;
        continue;
      }
      const red = colourOf(cell, 0);
      const green = colourOf(cell, 1);
      const blue = colourOf(cell, 2);
      const grey = luma(red, green, blue);
      data[index] = grey + (red - grey) * 1.5 + 10;
      data[index + 1] = grey + (green - grey) * 1.5 + 10;
      data[index + 2] = grey + (blue - grey) * 1.5 + 10;
    }
  }
}
