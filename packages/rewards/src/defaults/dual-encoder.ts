import type { Graph, ParameterStore, SymbolicTensor } from '@diffchat/autodiff';
import type { Autodiff } from '../model-runtime';

/** Sizes of the embedded default dual encoder. */
export interface DualEncoderConfig {
  /** Tokens of the word tokenizer. */
  vocabularySize: number;
  /** Side of the square input image (pixel_values are [batch, 3, imageSize, imageSize]). */
  imageSize: number;
  /** Side of the square patches the image is cut into. */
  patchSize: number;
  /** Width of token and patch features. */
  width: number;
  /** Width of the hidden layer of each tower's head. */
  hiddenSize: number;
  /** Width of the joint embedding. */
  embeddingSize: number;
}

/** The sizes `trainDefaultRewards` uses. */
export const defaultDualEncoderConfig: Omit<DualEncoderConfig, 'vocabularySize'> = {
  imageSize: 32,
  patchSize: 4,
  width: 96,
  hiddenSize: 192,
  embeddingSize: 64,
};

/** Gives each named weight as a graph tensor: a trainable parameter while training, a stored initializer on export. */
export type WeightSource = (name: string, shape: readonly number[]) => SymbolicTensor;

/** Shapes of every weight, by name. */
export function dualEncoderShapes(config: DualEncoderConfig): Map<string, number[]> {
  const { vocabularySize, imageSize, patchSize, width, hiddenSize, embeddingSize } = config;
  const patches = (imageSize / patchSize) ** 2;
  const patchValues = 3 * patchSize * patchSize;
  return new Map([
    ['text.token_embedding', [vocabularySize, width]],
    ['text.hidden.weight', [width, hiddenSize]],
    ['text.hidden.bias', [hiddenSize]],
    ['text.projection.weight', [hiddenSize, embeddingSize]],
    ['vision.patch.weight', [patchValues, width]],
    ['vision.patch.bias', [width]],
    ['vision.position_embedding', [patches, width]],
    ['vision.mixer.weight', [width, width]],
    ['vision.mixer.bias', [width]],
    ['vision.hidden.weight', [2 * width, hiddenSize]],
    ['vision.hidden.bias', [hiddenSize]],
    ['vision.projection.weight', [hiddenSize, embeddingSize]],
    ['aesthetic.weight', [embeddingSize, 1]],
    ['aesthetic.bias', [1]],
    ['logit_scale', [1]],
  ]);
}

/** Adds every weight to `store` with its initial value (Xavier for matrices, 0 for biases, log(1/0.07) for the scale). */
export function addDualEncoderParameters(autodiff: Autodiff, store: ParameterStore, config: DualEncoderConfig): void {
  for (const [name, shape] of dualEncoderShapes(config)) {
    if (name === 'logit_scale') store.add(name, shape, autodiff.constant(Math.log(1 / 0.07)));
    else if (name.endsWith('bias')) store.add(name, shape, autodiff.zeros);
    else if (name.endsWith('embedding')) store.add(name, shape, autodiff.normal({ std: 0.1 }));
    else store.add(name, shape, autodiff.xavierUniform());
  }
}

/**
 * Text tower: token embeddings averaged under the attention mask, then Linear -> GELU -> Linear.
 * `ids`, `mask`: [batch, sequence] int64 -> [batch, embeddingSize] (not normalised, as CLIP's projections).
 */
export function textTower(
  autodiff: Autodiff,
  ids: SymbolicTensor,
  mask: SymbolicTensor,
  weight: WeightSource,
  config: DualEncoderConfig,
): SymbolicTensor {
  const { add, cast, div, gather, gelu, linear, mul, reduceSum, unsqueeze } = autodiff;
  const shapes = dualEncoderShapes(config);
  const get = (name: string) => weight(name, shapes.get(name)!);
  const maskValues = unsqueeze(cast(mask, 'float32'), [2]); // [batch, sequence, 1]
  const tokens = mul(gather(get('text.token_embedding'), ids), maskValues); // [batch, sequence, width]
  const pooled = div(reduceSum(tokens, [1]), add(reduceSum(maskValues, [1]), 1e-6)); // [batch, width]
  const hidden = gelu(linear(pooled, get('text.hidden.weight'), get('text.hidden.bias')));
  return linear(hidden, get('text.projection.weight'));
}

/**
 * Vision tower: the image cut into patches (a strided convolution written as reshape + transpose + Linear), plus a
 * learned position embedding, one residual GELU mixing layer per patch, mean and max pooling over patches, then
 * Linear -> GELU -> Linear. `pixels`: [batch, 3, imageSize, imageSize] -> [batch, embeddingSize].
 */
export function visionTower(
  autodiff: Autodiff,
  pixels: SymbolicTensor,
  weight: WeightSource,
  config: DualEncoderConfig,
): SymbolicTensor {
  const { add, concat, gelu, linear, reduceMax, reduceMean, reshape, transpose } = autodiff;
  const shapes = dualEncoderShapes(config);
  const get = (name: string) => weight(name, shapes.get(name)!);
  const { imageSize, patchSize } = config;
  const grid = imageSize / patchSize;
  const cut = reshape(pixels, [-1, 3, grid, patchSize, grid, patchSize]);
  const patches = reshape(transpose(cut, [0, 2, 4, 1, 3, 5]), [-1, grid * grid, 3 * patchSize * patchSize]);
  const features = add(
    linear(patches, get('vision.patch.weight'), get('vision.patch.bias')),
    get('vision.position_embedding'),
  );
  const mixed = add(features, gelu(linear(gelu(features), get('vision.mixer.weight'), get('vision.mixer.bias'))));
  const pooled = concat([reduceMean(mixed, [1]), reduceMax(mixed, [1])], 1); // [batch, 2 * width]
  const hidden = gelu(linear(pooled, get('vision.hidden.weight'), get('vision.hidden.bias')));
  return linear(hidden, get('vision.projection.weight'));
}

/** Rows scaled to unit length: [batch, width]. */
export function normalizeRows(autodiff: Autodiff, x: SymbolicTensor): SymbolicTensor {
  const { add, div, mul, reduceSum, sqrt } = autodiff;
  return div(x, sqrt(add(reduceSum(mul(x, x), [1], true), 1e-12)));
}

/** Graph weights read from a store: trainable parameters. */
export function parameterSource(graph: Graph): WeightSource {
  const made = new Map<string, SymbolicTensor>();
  return (name, shape) => {
    let tensor = made.get(name);
    if (tensor === undefined) {
      tensor = graph.parameter(name, shape);
      made.set(name, tensor);
    }
    return tensor;
  };
}

/** Graph weights copied from a store into the model: for export. */
export function initializerSource(graph: Graph, store: ParameterStore): WeightSource {
  const made = new Map<string, SymbolicTensor>();
  return (name, shape) => {
    let tensor = made.get(name);
    if (tensor === undefined) {
      tensor = graph.initializer(name, store.get(name).data.slice(), shape);
      made.set(name, tensor);
    }
    return tensor;
  };
}
