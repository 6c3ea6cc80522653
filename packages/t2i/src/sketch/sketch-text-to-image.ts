import type { GeneratedImage, GenerateOptions, GenerateRequest, TextToImage } from '../text-to-image';
import { renderSketch } from './render-sketch';

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The sketch render was aborted', 'AbortError');
}

/**
 * The embedded `sketch` backend: {@link renderSketch} behind the {@link TextToImage} interface. A stand-in for a
 * diffusion model that runs offline and deterministically. Image i of a request uses seed + i (seed default 0);
 * width and height default to 256; `negativePrompt`, `steps` and `guidance` are ignored. Metadata lists the
 * prompt's unknown words and the scene that was drawn.
 */
export class SketchTextToImage implements TextToImage {
  /** Stable identifier, part of render-cache keys. */
  readonly id = 'sketch';

  /** Renders `request.n` (default 1) images; rejects with the signal's reason once it is aborted. */
  async generate(request: GenerateRequest, options: GenerateOptions = {}): Promise<GeneratedImage[]> {
    const count = request.n ?? 1;
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`sketch: "n" must be a positive integer, got ${request.n}`);
    const firstSeed = request.seed ?? 0;
    if (!Number.isSafeInteger(firstSeed))
      throw new RangeError(`sketch: "seed" must be a safe integer, got ${request.seed}`);
    const images: GeneratedImage[] = [];
    for (let index = 0; index < count; index++) {
      if (options.signal?.aborted) throw abortError(options.signal);
      const seed = firstSeed + index;
      const sketch = renderSketch(request.prompt, {
        seed,
        ...(request.width === undefined ? {} : { width: request.width }),
        ...(request.height === undefined ? {} : { height: request.height }),
      });
      images.push({
        png: sketch.png,
        width: sketch.width,
        height: sketch.height,
        seed,
        metadata: { backend: 'sketch', unknownWords: sketch.unknownWords, scene: sketch.scene },
      });
      // yield between images so that a batch does not hold the event loop and an abort can land
      if (index + 1 < count) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return images;
  }
}
