import { RewardError } from '../errors';
import { loadSharp } from '../model-runtime';
import { type RewardImage, validateImage } from '../reward';

/** How images become `pixel_values`: CLIPImageProcessor's steps and constants. */
export interface ImagePreprocessing {
  /** The shortest side is resized (bicubic) to this many pixels, keeping the aspect ratio. */
  shortestEdge: number;
  /** Then a centred square of this side is cut out. */
  cropSize: number;
  /** Per-channel mean (R, G, B) subtracted after scaling bytes to [0, 1]. */
  mean: readonly [number, number, number];
  /** Per-channel standard deviation (R, G, B) divided by afterwards. */
  std: readonly [number, number, number];
}

/** OpenAI CLIP's preprocessing (also used by ViT-L/14, the LAION predictor's encoder, and by PickScore's CLIP-H). */
export const clipImagePreprocessing: ImagePreprocessing = Object.freeze({
  shortestEdge: 224,
  cropSize: 224,
  mean: [0.48145466, 0.4578275, 0.40821073] as const,
  std: [0.26862954, 0.26130258, 0.27577711] as const,
});

/** Size after resizing the shortest side to `edge`; the long side is truncated as transformers does (`int()`). */
export function resizedSize(width: number, height: number, edge: number): { width: number; height: number } {
  if (width <= height) return { width: edge, height: Math.floor((edge * height) / width) };
  return { width: Math.floor((edge * width) / height), height: edge };
}

/** Decodes (PNG) or wraps (RGB) an image, resizes its shortest side, crops the centre; returns crop x crop x 3 bytes. */
async function resizeAndCrop(image: RewardImage, preprocessing: ImagePreprocessing, field: string): Promise<Buffer> {
  const sharp = await loadSharp('CLIP image preprocessing');
  const { shortestEdge, cropSize } = preprocessing;
  try {
    let width: number;
    let height: number;
    let pipeline: ReturnType<Sharp>;
    if ('png' in image) {
      pipeline = sharp(image.png, { failOn: 'error' });
      const metadata = await pipeline.metadata();
      width = metadata.width;
      height = metadata.height;
    } else {
      ({ width, height } = image);
      pipeline = sharp(image.pixels, { raw: { width, height, channels: 3 } });
    }
    const resized = resizedSize(width, height, shortestEdge);
    if (resized.width < cropSize || resized.height < cropSize) {
      throw new RewardError(field, `shortestEdge ${shortestEdge} is smaller than cropSize ${cropSize}`);
    }
    if (resized.width !== width || resized.height !== height) {
      pipeline = pipeline.resize(resized.width, resized.height, { kernel: 'cubic', fit: 'fill' });
    }
    const left = Math.floor((resized.width - cropSize) / 2);
    const top = Math.floor((resized.height - cropSize) / 2);
    if (resized.width !== cropSize || resized.height !== cropSize)
      pipeline = pipeline.extract({ left, top, width: cropSize, height: cropSize });
    const { data, info } = await pipeline
      .toColourspace('srgb')
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || info.width !== cropSize || info.height !== cropSize) {
      throw new RewardError(field, `decoded to ${info.width}x${info.height}x${info.channels}, not RGB`);
    }
    return data;
  } catch (error) {
    if (error instanceof RewardError) throw error;
    throw new RewardError(field, `the image could not be decoded: ${(error as Error).message}`);
  }
}

type Sharp = Awaited<ReturnType<typeof loadSharp>>;

/**
 * CLIP image preprocessing with sharp: shortest side to `shortestEdge` (bicubic), centre crop `cropSize`, bytes
 * scaled by 1/255, normalised per channel with `mean` / `std`.
 *
 * @param field - how errors name the images (`images[3]` by default).
 * @returns `pixel_values` as float32 NCHW: [images.length, 3, cropSize, cropSize].
 * @throws {@link RewardError} naming the image on a malformed image (wrong byte count, not a PNG, undecodable).
 */
export async function preprocessImages(
  images: readonly RewardImage[],
  preprocessing: ImagePreprocessing = clipImagePreprocessing,
  field = 'images',
): Promise<Float32Array> {
  const { cropSize, mean, std } = preprocessing;
  const plane = cropSize * cropSize;
  const output = new Float32Array(images.length * 3 * plane);
  for (let index = 0; index < images.length; index++) {
    const image = images[index];
    validateImage(image, `${field}[${index}]`);
    const bytes = await resizeAndCrop(image, preprocessing, `${field}[${index}]`);
    const base = index * 3 * plane;
    for (let pixel = 0; pixel < plane; pixel++) {
      for (let channel = 0; channel < 3; channel++) {
        output[base + channel * plane + pixel] = (bytes[pixel * 3 + channel]! / 255 - mean[channel]!) / std[channel]!;
      }
    }
  }
  return output;
}
