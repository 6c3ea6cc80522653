import { checkPngSize, type ImageSizeLimits } from './png-size-limits';
import { TextToImageError } from './text-to-image-error';

/**
 * Decodes a base64 PNG from a server answer (with or without a `data:image/png;base64,` prefix) and reads its size
 * from the header, which must be within `limits`.
 * @throws TextToImageError naming the backend, the URL and the field when the bytes are not a PNG
 * @throws ImageTooLargeError when the header declares a size over `limits`
 */
export function decodeBase64Png(
  encoded: unknown,
  context: { backend: string; url: string; field: string },
  limits: ImageSizeLimits | undefined,
): { png: Uint8Array; width: number; height: number } {
  if (typeof encoded !== 'string') {
    throw new TextToImageError(context, `answer field ${context.field} is not a base64 string`);
  }
  const comma = encoded.startsWith('data:') ? encoded.indexOf(',') : -1;
  const png = new Uint8Array(Buffer.from(encoded.slice(comma + 1), 'base64'));
  return { png, ...checkPngSize(png, limits, context) };
}

/** A seed for requests that leave it out: uniform over the 32-bit range every server accepts. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}
