import { z } from 'zod';
import type { ImageTextEncoder } from '../clip/image-text-encoder';
import {
  needsFor,
  recordCosines,
  sharedClipEncoder,
  type TextChoice,
  textChoiceSchema,
} from '../clip/image-text-similarity';
import { parseOptions } from '../config-errors';
import { dot, mean, softmax } from '../embeddings';
import { defineReward, type Reward, type RewardImage } from '../reward';

/** Options of {@link pickScoreReward}. */
export interface PickScoreOptions {
  /** The PickScore CLIP towers (`yuvalkirstain/PickScore_v1` exported to ONNX) or any {@link ImageTextEncoder}. */
  encoder: ImageTextEncoder;
  /** Text the images are compared with. Default `'target'`; `'original'` scores against the user's plain text. */
  against?: TextChoice;
}

/**
 * PickScore (Kirstain et al. 2023): `exp(logit_scale) * cos(text, image)`, averaged over a record's images. When a
 * record carries several images of its prompt, `details.preference` holds the softmax over them: the probability
 * that each would be preferred.
 */
export function pickScoreReward(options: PickScoreOptions): Reward {
  const { encoder, against = 'target' } = options;
  return defineReward({
    name: 'pickscore',
    needs: needsFor(against),
    async score(records) {
      const cosines = await recordCosines(encoder, records, against);
      return cosines.map((perImage) => {
        const scores = perImage.map((cosine) => encoder.logitScale * cosine);
        return { value: mean(scores), details: { scores, preference: softmax(scores) } };
      });
    },
  });
}

/**
 * PickScore's preference over candidate images of one prompt: the softmax of their scores, summing to 1.
 *
 * @returns one probability per image, in order.
 */
export async function pickScorePreferences(
  encoder: ImageTextEncoder,
  prompt: string,
  images: readonly RewardImage[],
): Promise<number[]> {
  const [text] = await encoder.embedTexts([prompt]);
  const embeddings = await encoder.embedImages(images);
  return softmax(embeddings.map((embedding) => encoder.logitScale * dot(text!, embedding)));
}

const pickScoreConfig = z
  .object({
    model: z.string({ error: 'expected a model folder or a hub repository id' }).min(1),
    against: textChoiceSchema.optional(),
    logitScale: z.number().positive({ error: 'expected a positive number' }).optional(),
  })
  .strict();

/** Builds `pickscore` from a config entry: `{ model, against?, logitScale? }`. */
export async function pickScoreFromConfig(options: Record<string, unknown>, field: string): Promise<Reward> {
  const parsed = parseOptions(pickScoreConfig, options, field);
  const { model, against, logitScale } = parsed;
  const encoder = await sharedClipEncoder(model, logitScale === undefined ? {} : { logitScale });
  return pickScoreReward({ encoder, ...(against === undefined ? {} : { against }) });
}
