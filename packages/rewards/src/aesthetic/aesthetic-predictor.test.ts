import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serializeSafetensors } from '@diffchat/autodiff';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageTextEncoder } from '../clip/image-text-encoder';
import { RewardError } from '../errors';
import { aestheticPredictorFromTensors, loadAestheticPredictor } from './aesthetic-predictor';
import { aestheticReward } from './aesthetic-reward';

/** A 2 -> 2 -> 1 -> 1 -> 1 -> 1 chain whose output is worked out by hand below. */
function tensors(overrides: Record<string, { shape: number[]; data: Float32Array }> = {}) {
  const tensor = (shape: number[], values: number[]) => ({ shape, data: Float32Array.from(values) });
  return new Map(
    Object.entries({
      'layers.0.weight': tensor([2, 2], [1, 2, 3, 4]),
      'layers.0.bias': tensor([2], [0.5, -0.5]),
      'layers.2.weight': tensor([1, 2], [1, -1]),
      'layers.2.bias': tensor([1], [0]),
      'layers.4.weight': tensor([1, 1], [2]),
      'layers.4.bias': tensor([1], [1]),
      'layers.6.weight': tensor([1, 1], [1]),
      'layers.6.bias': tensor([1], [0]),
      'layers.7.weight': tensor([1, 1], [3]),
      'layers.7.bias': tensor([1], [-1]),
      ...overrides,
    }),
  );
}

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rewards-aesthetic-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('AestheticPredictor', () => {
  it('normalises the embedding and applies the affine layers with no activation', () => {
    const predictor = aestheticPredictorFromTensors(tensors());
    // x = (3, 4) / 5 = (0.6, 0.8); layer 0: (0.6 + 1.6 + 0.5, 1.8 + 3.2 - 0.5) = (2.7, 4.5); layer 2: -1.8;
    // layer 4: 2 * -1.8 + 1 = -2.6; layer 6: -2.6; layer 7: 3 * -2.6 - 1 = -8.8. Negative values pass: no ReLU.
    expect(predictor.predict(Float32Array.of(3, 4))).toBeCloseTo(-8.8, 5);
    expect(predictor.predict(Float32Array.of(0, 0))).toBeCloseTo(3 * (2 * (0.5 + 0.5) + 1) - 1, 5);
  });

  it('reads the original state-dict keys from safetensors and names what is missing or malformed', async () => {
    const path = join(root, 'aesthetic.safetensors');
    await writeFile(path, serializeSafetensors(tensors()));
    expect((await loadAestheticPredictor(path)).predict(Float32Array.of(3, 4))).toBeCloseTo(-8.8, 5);
    const missing = tensors();
    missing.delete('layers.6.bias');
    expect(() => aestheticPredictorFromTensors(missing, 'weights.safetensors')).toThrow(
      /weights\.safetensors: missing layers\.6\.bias/,
    );
    expect(() =>
      aestheticPredictorFromTensors(tensors({ 'layers.2.weight': { shape: [1, 3], data: new Float32Array(3) } })),
    ).toThrow(/takes 3 inputs/);
    expect(() =>
      aestheticPredictorFromTensors(tensors({ 'layers.7.bias': { shape: [1], data: Float32Array.of(Number.NaN) } })),
    ).toThrow(/layers\.7\.bias: holds NaN/);
    await expect(loadAestheticPredictor(join(root, 'absent.safetensors'))).rejects.toThrow(/absent\.safetensors/);
    expect(() => aestheticPredictorFromTensors(tensors()).predict(new Float32Array(768))).toThrow(/reads 2/);
  });

  it('rejects any corrupted weights file with a RewardError naming it', async () => {
    const bytes = serializeSafetensors(tensors());
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: bytes.length - 1 }), fc.uint8Array({ maxLength: 16 }), async (cut, garbage) => {
        const path = join(root, 'cut.safetensors');
        await writeFile(path, Uint8Array.from([...bytes.subarray(0, cut), ...garbage]));
        // A cut that only zeroes trailing weights still makes a valid file; anything else must be a RewardError.
        const error = await loadAestheticPredictor(path).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        if (error !== undefined && !(error instanceof RewardError)) throw error;
        if (error instanceof RewardError) expect(error.field).toContain('cut.safetensors');
      }),
      { numRuns: 80 },
    );
  });

  it('as a reward, averages the scores of a record images', async () => {
    const encoder: ImageTextEncoder = {
      logitScale: 1,
      embedTexts: async () => [],
      embedImages: async (images) => images.map((image) => Float32Array.of((image as { width: number }).width, 4)),
    };
    const reward = aestheticReward({ encoder, predictor: aestheticPredictorFromTensors(tensors()) });
    const image = (width: number) => ({ width, height: 1, pixels: new Uint8Array(width * 3) });
    const [result] = await reward.score([{ source: 'a', instruction: '', target: 'b', images: [image(3), image(3)] }]);
    expect(result!.value).toBeCloseTo(-8.8, 5);
  });
});
