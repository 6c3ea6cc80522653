import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRng } from '@diffchat/core';
import { clipImagePreprocessing, preprocessImages } from '../clip/image-preprocessing';
import { loadSharp, loadTextToImage, loadWorld } from '../model-runtime';
import type { RgbImage } from '../reward';
import { pixelAesthetics } from './pixel-aesthetics';

/** One rendered caption: what the default models train and are evaluated on. */
export interface RenderedExample {
  caption: string;
  /** The sketch rendering of the caption, decoded to RGB. */
  image: RgbImage;
  /** The image preprocessed for the vision tower: [3, imageSize, imageSize]. */
  pixelValues: Float32Array;
  /** {@link pixelAesthetics} score of `image`. */
  aesthetic: number;
}

/** Options of {@link renderExamples}. */
export interface RenderExamplesOptions {
  /** Seed of the first prompt's rendering; prompt `i` uses `seed + i`. */
  seed: number;
  /** Side of the rendered square sketches. */
  renderSize: number;
  /** Side of the preprocessed image (`pixelValues`). */
  imageSize: number;
  /**
   * Folder where renders are kept between runs (RGB bytes and aesthetic scores, keyed by the prompts, seed, size
   * and a fingerprint of the renderer, so a changed renderer renders afresh). Default: no cache.
   */
  cacheDirectory?: string;
}

/**
 * `count` distinct simple prompts of the prompt world drawn from `seed`, none of them in `exclude`. The prompts are
 * canonical renderings of distinct scenes (the generator writes each scene one way), and every word of a simple
 * prompt is drawn by the sketch renderer, so distinct prompts are distinct images: held-out sets are disjoint
 * from training sets in content, not only in wording.
 */
export async function distinctCaptions(
  count: number,
  seed: number,
  exclude: ReadonlySet<string> = new Set(),
): Promise<string[]> {
  const { generateSimplePrompt } = await loadWorld('drawing the default reward captions');
  const rng = createRng(seed);
  const random = () => rng.next();
  const captions = new Set<string>();
  for (let attempts = 0; captions.size < count; attempts++) {
    if (attempts > count * 50) throw new RangeError(`could not draw ${count} distinct captions`);
    const caption = generateSimplePrompt(random);
    if (!exclude.has(caption)) captions.add(caption);
  }
  return [...captions];
}

interface CachedRenders {
  images: RgbImage[];
  aesthetics: number[];
}

async function readCache(path: string, count: number, side: number): Promise<CachedRenders | undefined> {
  const bytes = await readFile(path).catch(() => undefined);
  const plane = side * side * 3;
  // Layout: count float64 aesthetic scores, then count RGB images.
  if (bytes === undefined || bytes.length !== count * (8 + plane)) return undefined;
  const copy = new Uint8Array(bytes);
  const aesthetics = Array.from(new Float64Array(copy.buffer, 0, count));
  const images = Array.from({ length: count }, (_, index) => ({
    width: side,
    height: side,
    pixels: copy.subarray(count * 8 + index * plane, count * 8 + (index + 1) * plane),
  }));
  return { images, aesthetics };
}

async function writeCache(path: string, renders: CachedRenders): Promise<void> {
  const count = renders.images.length;
  const plane = renders.images[0]?.pixels.length ?? 0;
  const bytes = new Uint8Array(count * (8 + plane));
  bytes.set(new Uint8Array(Float64Array.from(renders.aesthetics).buffer), 0);
  renders.images.forEach((image, index) => {
    bytes.set(image.pixels, count * 8 + index * plane);
  });
  await writeFile(`${path}.partial`, bytes);
  await rename(`${path}.partial`, path);
}

/**
 * Renders prompts with the embedded sketch renderer (`renderSize` pixels square, seed `seed + index`), decodes them,
 * preprocesses them to `imageSize` and scores them with {@link pixelAesthetics}; with `cacheDirectory`, a second
 * call with the same prompts reads the renders back instead.
 */
export async function renderExamples(
  prompts: readonly string[],
  options: RenderExamplesOptions,
): Promise<RenderedExample[]> {
  const t2i = await loadTextToImage('training the default reward models');
  const sharp = await loadSharp('training the default reward models');
  const preprocessing = { ...clipImagePreprocessing, shortestEdge: options.imageSize, cropSize: options.imageSize };
  const size = options.renderSize;
  const decode = async (png: Uint8Array): Promise<RgbImage> => {
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, pixels: new Uint8Array(data) };
  };
  let path: string | undefined;
  let renders: CachedRenders | undefined;
  if (options.cacheDirectory !== undefined) {
    const probe = t2i.renderSketch('a red fox and two blue houses in a forest at night, watercolour', {
      width: size,
      height: size,
    });
    const key = createHash('sha256')
      .update(JSON.stringify({ prompts, seed: options.seed, size }))
      .update(probe.png)
      .digest('hex')
      .slice(0, 32);
    path = join(options.cacheDirectory, `renders-${size}-${key}.bin`);
    renders = await readCache(path, prompts.length, size);
  }
  if (renders === undefined) {
    renders = { images: [], aesthetics: [] };
    for (let index = 0; index < prompts.length; index++) {
      const { png } = t2i.renderSketch(prompts[index]!, { width: size, height: size, seed: options.seed + index });
      const image = await decode(png);
      renders.images.push(image);
      renders.aesthetics.push(pixelAesthetics(image).score);
    }
    if (path !== undefined && prompts.length > 0) {
      await mkdir(options.cacheDirectory!, { recursive: true });
      await writeCache(path, renders);
    }
  }
  const examples: RenderedExample[] = [];
  for (let index = 0; index < prompts.length; index++) {
    const image = renders.images[index]!;
    const pixelValues = await preprocessImages([image], preprocessing);
    examples.push({ caption: prompts[index]!, image, pixelValues, aesthetic: renders.aesthetics[index]! });
  }
  return examples;
}
