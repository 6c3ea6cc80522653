import type { RewardImage } from '../reward';

/**
 * A joint embedding of images and texts (CLIP and its kin). Both methods are batched and return one L2-normalised
 * vector per input, in input order, so that a dot product is the cosine similarity.
 */
export interface ImageTextEncoder {
  /** `exp(logit_scale)` of the model: the factor PickScore puts in front of the cosine (about 100 for CLIP). */
  readonly logitScale: number;
  /** Embeds images (PNG bytes or RGB pixels of any size; the encoder preprocesses them). */
  embedImages(images: readonly RewardImage[]): Promise<Float32Array[]>;
  /** Embeds texts. */
  embedTexts(texts: readonly string[]): Promise<Float32Array[]>;
}
