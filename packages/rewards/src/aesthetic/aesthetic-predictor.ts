import { readFile } from 'node:fs/promises';
import { l2Normalize } from '../embeddings';
import { RewardError } from '../errors';
import { loadAutodiff } from '../model-runtime';

/** One affine layer: `weight` is [outputs, inputs] row-major (PyTorch's `nn.Linear` layout). */
export interface AffineLayer {
  weight: Float32Array;
  bias: Float32Array;
  inputs: number;
  outputs: number;
}

/** The state-dict indices of the Linear layers in the LAION predictor's `nn.Sequential` (Dropouts in between). */
export const aestheticLayerIndices = [0, 2, 4, 6, 7] as const;

/**
 * The LAION improved aesthetic predictor: an MLP over an L2-normalised CLIP image embedding (768 -> 1024 -> 128 ->
 * 64 -> 16 -> 1 for ViT-L/14) with no activations; its Dropouts do nothing at inference. The output is on the
 * AVA-like 1-10 rating scale.
 */
export class AestheticPredictor {
  /** @param layers - the affine layers in order; each one's inputs match the previous one's outputs, the last has 1. */
  constructor(readonly layers: readonly AffineLayer[]) {
    layers.forEach((layer, index) => {
      if (index > 0 && layer.inputs !== layers[index - 1]!.outputs) {
        throw new RewardError(
          `layers[${index}]`,
          `takes ${layer.inputs} inputs but the layer before gives ${layers[index - 1]!.outputs}`,
        );
      }
    });
    if (layers.at(-1)?.outputs !== 1) throw new RewardError('layers', 'the last layer must have one output');
  }

  /** Width of the image embedding it reads. */
  get embeddingSize(): number {
    return this.layers[0]!.inputs;
  }

  /** Scores one image embedding (normalised here, so a raw embedding is fine too). */
  predict(embedding: Float32Array): number {
    if (embedding.length !== this.embeddingSize) {
      throw new RewardError(
        'embedding',
        `has ${embedding.length} values; this predictor reads ${this.embeddingSize} (ViT-L/14 gives 768)`,
      );
    }
    let values: Float32Array = l2Normalize(Float32Array.from(embedding));
    for (const { weight, bias, inputs, outputs } of this.layers) {
      const next = new Float32Array(outputs);
      for (let row = 0; row < outputs; row++) {
        let sum = bias[row]!;
        const offset = row * inputs;
        for (let column = 0; column < inputs; column++) sum += weight[offset + column]! * values[column]!;
        next[row] = sum;
      }
      values = next;
    }
    return values[0]!;
  }
}

/**
 * Builds the predictor from tensors named as in the published state dict: `layers.{0,2,4,6,7}.weight` ([out, in])
 * and `.bias` ([out]).
 *
 * @param source - names the file in errors.
 */
export function aestheticPredictorFromTensors(
  tensors: ReadonlyMap<string, { shape: readonly number[]; data: Float32Array }>,
  source = 'aesthetic weights',
): AestheticPredictor {
  const layers = aestheticLayerIndices.map((index) => {
    const weight = tensors.get(`layers.${index}.weight`);
    const bias = tensors.get(`layers.${index}.bias`);
    if (weight === undefined || bias === undefined) {
      throw new RewardError(
        source,
        `missing layers.${index}.${weight === undefined ? 'weight' : 'bias'}; expected the keys layers.{0,2,4,6,7}.{weight,bias}`,
      );
    }
    const [outputs, inputs] = weight.shape;
    if (weight.shape.length !== 2 || bias.shape.length !== 1 || bias.shape[0] !== outputs) {
      throw new RewardError(
        `${source}: layers.${index}`,
        `weight [${weight.shape.join(', ')}] and bias [${bias.shape.join(', ')}] do not form a Linear layer`,
      );
    }
    for (const [name, tensor] of [
      ['weight', weight],
      ['bias', bias],
    ] as const) {
      if (tensor.data.some((value) => !Number.isFinite(value))) {
        throw new RewardError(`${source}: layers.${index}.${name}`, 'holds NaN or infinite values');
      }
    }
    return { weight: weight.data, bias: bias.data, inputs: inputs!, outputs: outputs! };
  });
  try {
    return new AestheticPredictor(layers);
  } catch (error) {
    throw new RewardError(source, (error as Error).message);
  }
}

/** Reads the predictor from a safetensors file (see the README for converting the published `.pth` once). */
export async function loadAestheticPredictor(path: string): Promise<AestheticPredictor> {
  const autodiff = await loadAutodiff('reading the aesthetic predictor weights');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new RewardError(path, `cannot read the aesthetic predictor weights: ${(error as Error).message}`);
  }
  let contents: ReturnType<typeof autodiff.parseSafetensors>;
  try {
    contents = autodiff.parseSafetensors(bytes, { source: path });
  } catch (error) {
    throw new RewardError(path, (error as Error).message);
  }
  return aestheticPredictorFromTensors(contents.tensors, path);
}
