import { join } from 'node:path';
import { z } from 'zod';
import type { ImageTextEncoder } from '../clip/image-text-encoder';
import { embedRecordImages, sharedClipEncoder } from '../clip/image-text-similarity';
import { parseOptions } from '../config-errors';
import { mean } from '../embeddings';
import { defineReward, type Reward } from '../reward';
import { type AestheticPredictor, loadAestheticPredictor } from './aesthetic-predictor';

/** Options of {@link aestheticReward}. */
export interface AestheticRewardOptions {
  /** The image encoder whose embeddings the predictor was trained on (CLIP ViT-L/14 for the LAION weights). */
  encoder: ImageTextEncoder;
  predictor: AestheticPredictor;
}

/** The aesthetic score of a record's images (their mean); `details.scores` holds each image's score. */
export function aestheticReward(options: AestheticRewardOptions): Reward {
  const { encoder, predictor } = options;
  return defineReward({
    name: 'aesthetic',
    needs: ['image'],
    async score(records) {
      const embeddings = await embedRecordImages(encoder, records);
      return embeddings.map((perImage) => {
        const scores = perImage.map((embedding) => predictor.predict(embedding));
        return { value: mean(scores), details: { scores } };
      });
    },
  });
}

/** File name of the aesthetic head inside a model folder, when `weights` is not given. */
export const aestheticWeightsFile = 'aesthetic.safetensors';

const aestheticConfig = z
  .object({
    model: z.string({ error: 'expected a model folder or a hub repository id' }).min(1),
    weights: z.string({ error: 'expected the path of a safetensors file' }).min(1).optional(),
  })
  .strict();

/**
 * Builds `aesthetic` from a config entry: `{ model, weights? }` — the CLIP model, and the predictor's safetensors
 * (default `<model folder>/aesthetic.safetensors`).
 */
export async function aestheticFromConfig(options: Record<string, unknown>, field: string): Promise<Reward> {
  const parsed = parseOptions(aestheticConfig, options, field);
  const encoder = await sharedClipEncoder(parsed.model);
  const predictor = await loadAestheticPredictor(parsed.weights ?? join(encoder.directory, aestheticWeightsFile));
  return aestheticReward({ encoder, predictor });
}
