import { z } from 'zod';
import { dot } from '../embeddings';
import type { RewardNeed, RewardRecord } from '../reward';
import type { ImageTextEncoder } from './image-text-encoder';
import { type ClipEncoderOptions, loadClipEncoder, type OnnxClipEncoder } from './onnx-clip-encoder';

/**
 * Which text of a record an image is compared with: the new prompt (`target`), the prompt before the edit
 * (`source`), or the user's own plain text (`original`, how BeautifulPrompt and Promptist evaluate).
 */
export type TextChoice = 'target' | 'source' | 'original';

/** Schema of a {@link TextChoice} option. */
export const textChoiceSchema = z.enum(['target', 'source', 'original'], {
  error: 'expected "target", "source" or "original"',
});

/** What a reward comparing images with `against` needs from each record. */
export function needsFor(against: TextChoice): RewardNeed[] {
  return against === 'original' ? ['image', 'original'] : ['image'];
}

/** The text of `record` chosen by `against`. */
export function textOf(record: RewardRecord, against: TextChoice): string {
  return against === 'original' ? record.original! : record[against];
}

/** Image embeddings of every record's images, in one batched pass: [record][image]. */
export async function embedRecordImages(
  encoder: ImageTextEncoder,
  records: readonly RewardRecord[],
): Promise<Float32Array[][]> {
  const flat = records.flatMap((record) => record.images!);
  const embeddings = await encoder.embedImages(flat);
  let next = 0;
  return records.map((record) => record.images!.map(() => embeddings[next++]!));
}

/** Cosine of each image of each record with the record's chosen text: [record][image]. */
export async function recordCosines(
  encoder: ImageTextEncoder,
  records: readonly RewardRecord[],
  against: TextChoice,
): Promise<number[][]> {
  const texts = await encoder.embedTexts(records.map((record) => textOf(record, against)));
  const images = await embedRecordImages(encoder, records);
  return images.map((embeddings, index) => embeddings.map((embedding) => dot(texts[index]!, embedding)));
}

const encoders = new Map<string, Promise<OnnxClipEncoder>>();

/**
 * One encoder per model reference for rewards built from config, so that `pickscore` and `clipScore` on the same
 * model share its sessions. A load that fails is forgotten, so a later call retries.
 */
export function sharedClipEncoder(model: string, options: ClipEncoderOptions = {}): Promise<OnnxClipEncoder> {
  const key = JSON.stringify([model, options]);
  let encoder = encoders.get(key);
  if (encoder === undefined) {
    encoder = loadClipEncoder(model, options);
    encoders.set(key, encoder);
    encoder.catch(() => encoders.delete(key));
  }
  return encoder;
}
