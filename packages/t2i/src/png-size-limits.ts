import { readPngSize } from './png-header';
import { crc32 } from './sketch/png-encoder';
import { TextToImageError } from './text-to-image-error';

/** Largest image a backend or the render cache accepts, checked on the PNG header before anything else. */
export interface ImageSizeLimits {
  /** Widest image in pixels (default 16384). */
  maxWidth?: number;
  /** Tallest image in pixels (default 16384). */
  maxHeight?: number;
  /** Most pixels, width × height (default 2^28: 1 GiB of RGBA once decoded). */
  maxPixels?: number;
}

/** The limits used where none are given: far above what SD-class models render, far below what exhausts memory. */
export const defaultImageSizeLimits: Readonly<Required<ImageSizeLimits>> = {
  maxWidth: 16384,
  maxHeight: 16384,
  maxPixels: 2 ** 28,
};

/** A PNG whose header declares more pixels than {@link ImageSizeLimits} allow; names the backend and the field. */
export class ImageTooLargeError extends TextToImageError {
  override readonly name: string = 'ImageTooLargeError';
  /** Where the image was found, e.g. `images[0]` or `data[1].b64_json`. */
  readonly field: string;
  /** Width declared by the PNG header. */
  readonly width: number;
  /** Height declared by the PNG header. */
  readonly height: number;
  /** The limits it broke. */
  readonly limits: Readonly<Required<ImageSizeLimits>>;

  constructor(
    context: { backend: string; url: string; field: string },
    size: { width: number; height: number },
    limits: Readonly<Required<ImageSizeLimits>>,
  ) {
    super(
      context,
      `${context.field} declares ${size.width} x ${size.height} pixels, over the limit of ${limits.maxWidth} x ` +
        `${limits.maxHeight} and ${limits.maxPixels} pixels (imageSizeLimits)`,
    );
    this.field = context.field;
    this.width = size.width;
    this.height = size.height;
    this.limits = limits;
  }
}

/** Signature (8) + IHDR length (4) + type (4) + data (13) + CRC (4). */
const headerLength = 33;

/**
 * Checks that `png` starts like a PNG (signature, a 13-byte IHDR chunk with a correct CRC, non-zero size) and that
 * the size it declares is within `limits`, before anything decodes or stores the image.
 * @returns the declared width and height
 * @throws TextToImageError naming the backend and the field when the bytes are not a PNG
 * @throws ImageTooLargeError when the declared size is over a limit
 */
export function checkPngSize(
  png: Uint8Array,
  limits: ImageSizeLimits | undefined,
  context: { backend: string; url: string; field: string },
): { width: number; height: number } {
  const size = readPngSize(png);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  const valid =
    size !== undefined &&
    png.length >= headerLength &&
    view.getUint32(8) === 13 &&
    view.getUint32(29) === crc32(png.subarray(12, 29)) &&
    size.width > 0 &&
    size.height > 0;
  if (!valid) throw new TextToImageError(context, `${context.field} is not a PNG image`);
  const effective = { ...defaultImageSizeLimits, ...definedOnly(limits) };
  if (
    size.width > effective.maxWidth ||
    size.height > effective.maxHeight ||
    size.width * size.height > effective.maxPixels
  ) {
    throw new ImageTooLargeError(context, size, effective);
  }
  return size;
}

/** Drops undefined fields, so `{ maxWidth: undefined }` keeps the default instead of disabling the check. */
function definedOnly(limits: ImageSizeLimits | undefined): ImageSizeLimits {
  return Object.fromEntries(Object.entries(limits ?? {}).filter(([, value]) => value !== undefined));
}
