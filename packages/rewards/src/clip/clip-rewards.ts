import { z } from 'zod';
import { parseOptions } from '../config-errors';
import { mean } from '../embeddings';
import { defineReward, type Reward } from '../reward';
import type { ImageTextEncoder } from './image-text-encoder';
import { needsFor, recordCosines, sharedClipEncoder, type TextChoice, textChoiceSchema } from './image-text-similarity';

/** Options of {@link clipScoreReward}. */
export interface ClipScoreOptions {
  /** The CLIP model (ViT-B/32 in the CLIPScore paper). */
  encoder: ImageTextEncoder;
  /** Text the images are compared with. Default `'target'`. */
  against?: TextChoice;
  /** The factor w of `w * max(cos, 0)`. Default 2.5. */
  scale?: number;
  /** Prepended to the text; the CLIPScore paper uses `'A photo depicts '`. Default `''`. */
  prefix?: string;
}

/**
 * CLIPScore (Hessel et al. 2021): `scale * max(cos(text, image), 0)` averaged over a record's images; `details`
 * holds the per-image cosines.
 */
export function clipScoreReward(options: ClipScoreOptions): Reward {
  const { encoder, against = 'target', scale = 2.5, prefix = '' } = options;
  return defineReward({
    name: 'clipScore',
    needs: needsFor(against),
    async score(records) {
      const prefixed = prefix === '' ? records : records.map((record) => withPrefix(record, prefix));
      const cosines = await recordCosines(encoder, prefixed, against);
      return cosines.map((perImage) => ({
        value: mean(perImage.map((cosine) => scale * Math.max(cosine, 0))),
        details: { cosines: perImage },
      }));
    },
  });
}

function withPrefix<Record extends { source: string; target: string; original?: string }>(
  record: Record,
  prefix: string,
): Record {
  return {
    ...record,
    source: prefix + record.source,
    target: prefix + record.target,
    ...(record.original === undefined ? {} : { original: prefix + record.original }),
  };
}

/** Options of {@link relevanceReward}. */
export interface RelevanceOptions {
  /** The CLIP model (ViT-L/14 in Promptist). */
  encoder: ImageTextEncoder;
  /** Text the images of the new prompt are compared with. Default `'original'`, the user's plain text. */
  against?: TextChoice;
  /** Slope of the penalty. Default 20. */
  slope?: number;
  /** Offset of the penalty: no penalty while `cos >= offset / slope` (0.28 by default). Default 5.6. */
  offset?: number;
}

/**
 * Promptist's relevance term: `min(0, slope * cos(image of the new prompt, plain text) - offset)`, averaged over a
 * record's images. Zero while the image still depicts the user's text (cosine at least 0.28 by default), negative
 * and linear in the cosine below; it only penalises drifting away, never rewards literalness.
 */
export function relevanceReward(options: RelevanceOptions): Reward {
  const { encoder, against = 'original', slope = 20, offset = 5.6 } = options;
  return defineReward({
    name: 'relevance',
    needs: needsFor(against),
    async score(records) {
      const cosines = await recordCosines(encoder, records, against);
      return cosines.map((perImage) => ({
        value: mean(perImage.map((cosine) => Math.min(0, slope * cosine - offset))),
        details: { cosines: perImage },
      }));
    },
  });
}

const finite = z.number({ error: 'expected a finite number' }).refine(Number.isFinite, 'expected a finite number');
const model = z.string({ error: 'expected a model folder or a hub repository id' }).min(1);

const clipScoreConfig = z
  .object({ model, against: textChoiceSchema.optional(), scale: finite.optional(), prefix: z.string().optional() })
  .strict();
const relevanceConfig = z
  .object({ model, against: textChoiceSchema.optional(), slope: finite.optional(), offset: finite.optional() })
  .strict();

/** Builds `clipScore` from a config entry: `{ model, against?, scale?, prefix? }`. */
export async function clipScoreFromConfig(options: Record<string, unknown>, field: string): Promise<Reward> {
  const parsed = parseOptions(clipScoreConfig, options, field);
  const { model: source, ...rest } = parsed;
  return clipScoreReward({ encoder: await sharedClipEncoder(source), ...rest });
}

/** Builds `relevance` from a config entry: `{ model, against?, slope?, offset? }`. */
export async function relevanceFromConfig(options: Record<string, unknown>, field: string): Promise<Reward> {
  const parsed = parseOptions(relevanceConfig, options, field);
  const { model: source, ...rest } = parsed;
  return relevanceReward({ encoder: await sharedClipEncoder(source), ...rest });
}
