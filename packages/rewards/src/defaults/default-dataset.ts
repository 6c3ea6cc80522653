import { createRng, generateSimplePrompt } from '@diffchat/core';
import { clipImagePreprocessing, preprocessImages } from '../clip/image-preprocessing';
import { loadSharp, loadTextToImage } from '../model-runtime';
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

/**
 * `count` distinct simple prompts of the prompt world drawn from `seed`, none of them in `exclude`, so held-out sets
 * are disjoint from training sets and every caption tells its image apart.
 */
export async function distinctCaptions(
  count: number,
  seed: number,
  exclude: ReadonlySet<string> = new Set(),
): Promise<string[]> {
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

/**
 * Renders prompts with the embedded sketch renderer (`renderSize` pixels square, seed `seed + index`), decodes them,
 * preprocesses them to `imageSize` and scores them with {@link pixelAesthetics}.
 */
export async function renderExamples(
  prompts: readonly string[],
  options: { seed: number; renderSize: number; imageSize: number },
): Promise<RenderedExample[]> {
  const t2i = await loadTextToImage('training the default reward models');
  const sharp = await loadSharp('training the default reward models');
  const preprocessing = { ...clipImagePreprocessing, shortestEdge: options.imageSize, cropSize: options.imageSize };
  const examples: RenderedExample[] = [];
  for (let index = 0; index < prompts.length; index++) {
    const caption = prompts[index]!;
    const { png } = t2i.renderSketch(caption, {
      width: options.renderSize,
      height: options.renderSize,
      seed: options.seed + index,
    });
    const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const image = { width: info.width, height: info.height, pixels: new Uint8Array(data) };
    const pixelValues = await preprocessImages([image], preprocessing);
    examples.push({ caption, image, pixelValues, aesthetic: pixelAesthetics(image).score });
  }
  return examples;
}
