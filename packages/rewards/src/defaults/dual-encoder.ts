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
  /** Width of the hidden layer of each tower's head and of the patch MLP. */
  hiddenSize: number;
  /** Width of the joint embedding. */
  embeddingSize: number;
  /** Attention heads of the vision tower's self-attention layer (divides `width`). */
  heads: number;
  /** Word-window layers of the text tower: each mixes every word with its left and right neighbours. */
  textLayers: number;
}

/** The sizes `trainDefaultRewards` uses (its `renderSize` sets `imageSize`, and `patchSize` is an eighth of it). */
export const defaultDualEncoderConfig: Omit<DualEncoderConfig, 'vocabularySize'> = {
  imageSize: 64,
  patchSize: 8,
  width: 96,
  hiddenSize: 192,
  embeddingSize: 96,
  heads: 4,
  textLayers: 2,
};

/** Gives each named weight as a graph tensor: a trainable parameter while training, a stored initializer on export. */
export type WeightSource = (name: string, shape: readonly number[]) => SymbolicTensor;

/** Shapes of every weight, by name. */
export function dualEncoderShapes(config: DualEncoderConfig): Map<string, number[]> {
  const { vocabularySize, imageSize, patchSize, width, hiddenSize, embeddingSize, textLayers } = config;
  const patches = (imageSize / patchSize) ** 2;
  const patchValues = 3 * patchSize * patchSize;
  const shapes = new Map<string, number[]>([['text.token_embedding', [vocabularySize, width]]]);
  for (let layer = 0; layer < textLayers; layer++) {
    shapes.set(`text.window.${layer}.weight`, [3 * width, width]);
    shapes.set(`text.window.${layer}.bias`, [width]);
  }
  const entries: [string, number[]][] = [
    ['text.hidden.weight', [2 * width, hiddenSize]],
    ['text.hidden.bias', [hiddenSize]],
    ['text.projection.weight', [hiddenSize, embeddingSize]],
    ['vision.patch.weight', [patchValues, width]],
    ['vision.patch.bias', [width]],
    ['vision.position_embedding', [patches, width]],
    ['vision.attention_norm.weight', [width]],
    ['vision.attention_norm.bias', [width]],
    ['vision.query.weight', [width, width]],
    ['vision.key.weight', [width, width]],
    ['vision.value.weight', [width, width]],
    ['vision.attention_output.weight', [width, width]],
    ['vision.attention_output.bias', [width]],
    ['vision.mlp_norm.weight', [width]],
    ['vision.mlp_norm.bias', [width]],
    ['vision.mlp_in.weight', [width, hiddenSize]],
    ['vision.mlp_in.bias', [hiddenSize]],
    ['vision.mlp_out.weight', [hiddenSize, width]],
    ['vision.mlp_out.bias', [width]],
    ['vision.hidden.weight', [2 * width, hiddenSize]],
    ['vision.hidden.bias', [hiddenSize]],
    ['vision.projection.weight', [hiddenSize, embeddingSize]],
    ['vision.word_head.weight', [hiddenSize, vocabularySize]],
    ['vision.word_head.bias', [vocabularySize]],
    ['aesthetic.weight', [embeddingSize, 1]],
    ['aesthetic.bias', [1]],
    ['logit_scale', [1]],
  ];
  for (const [name, shape] of entries) shapes.set(name, shape);
  return shapes;
}

/**
 * Adds every weight to `store` with its initial value: Xavier for matrices, 0 for biases, 1 for norm scales,
 * N(0, 0.1) for embeddings, log(1/0.07) for the scale (CLIP's initial temperature).
 */
export function addDualEncoderParameters(autodiff: Autodiff, store: ParameterStore, config: DualEncoderConfig): void {
  for (const [name, shape] of dualEncoderShapes(config)) {
    if (name === 'logit_scale') store.add(name, shape, autodiff.constant(Math.log(1 / 0.07)));
    else if (name.endsWith('norm.weight')) store.add(name, shape, autodiff.ones);
    else if (name.endsWith('bias')) store.add(name, shape, autodiff.zeros);
    else if (name.endsWith('embedding')) store.add(name, shape, autodiff.normal({ std: 0.1 }));
    else store.add(name, shape, autodiff.xavierUniform());
  }
}

function weightsOf(weight: WeightSource, config: DualEncoderConfig): (name: string) => SymbolicTensor {
  const shapes = dualEncoderShapes(config);
  return (name) => weight(name, shapes.get(name)!);
}

/** Mean and max over axis 1 of the rows `mask` keeps: [batch, length, width] -> [batch, 2 * width]. */
function meanAndMax(autodiff: Autodiff, x: SymbolicTensor, mask: SymbolicTensor): SymbolicTensor {
  const { add, concat, div, mul, reduceMax, reduceSum, sub } = autodiff;
  const mean = div(reduceSum(mul(x, mask), [1]), add(reduceSum(mask, [1]), 1e-6));
  // Padding gets -1e4 before the max so it never wins.
  const maximum = reduceMax(add(x, mul(sub(mask, 1), 1e4)), [1]);
  return concat([mean, maximum], 1);
}

/**
 * Text tower: word embeddings, then `textLayers` residual word-window layers (each word reads itself and its two
 * neighbours, so `red car and blue house` differs from `blue car and red house`), masked mean and max pooling,
 * Linear -> GELU -> Linear. `ids`, `mask`: [batch, sequence] int64 -> [batch, embeddingSize] (not normalised, as
 * CLIP's projections).
 */
export function textTower(
  autodiff: Autodiff,
  ids: SymbolicTensor,
  mask: SymbolicTensor,
  weight: WeightSource,
  config: DualEncoderConfig,
): SymbolicTensor {
  const { add, cast, concat, gather, gelu, linear, mul, pad, reshape, shapeOf, slice, unsqueeze } = autodiff;
  const get = weightsOf(weight, config);
  const maskValues = unsqueeze(cast(mask, 'float32'), [2]); // [batch, sequence, 1]
  let hidden = mul(gather(get('text.token_embedding'), ids), maskValues); // [batch, sequence, width]
  for (let layer = 0; layer < config.textLayers; layer++) {
    // Shifted copies keep the sequence's length, which the reshape restates for the symbolic shapes of export.
    const sameShape = (x: SymbolicTensor) => reshape(x, shapeOf(hidden), hidden.shape);
    const previous = sameShape(pad(slice(hidden, [0], [-1], [1]), [0, 1, 0], [0, 0, 0])); // word t - 1 at t
    const next = sameShape(pad(slice(hidden, [1], [2 ** 62], [1]), [0, 0, 0], [0, 1, 0])); // word t + 1 at t
    const window = concat([previous, hidden, next], 2); // [batch, sequence, 3 * width]
    const mixed = gelu(linear(window, get(`text.window.${layer}.weight`), get(`text.window.${layer}.bias`)));
    hidden = mul(add(hidden, mixed), maskValues);
  }
  const pooled = meanAndMax(autodiff, hidden, maskValues);
  const head = gelu(linear(pooled, get('text.hidden.weight'), get('text.hidden.bias')));
  return linear(head, get('text.projection.weight'));
}

/**
 * Vision tower, a one-block vision transformer: the image cut into patches (a strided convolution written as
 * reshape + transpose + Linear) plus a learned position embedding, one pre-norm block (multi-head self-attention
 * over the patches, then a GELU MLP per patch, both residual), mean and max pooling over patches, then
 * Linear -> GELU -> Linear. `pixels`: [batch, 3, imageSize, imageSize] -> [batch, embeddingSize].
 */
export function visionTower(
  autodiff: Autodiff,
  pixels: SymbolicTensor,
  weight: WeightSource,
  config: DualEncoderConfig,
): SymbolicTensor {
  return autodiff.linear(
    visionFeatures(autodiff, pixels, weight, config),
    weightsOf(weight, config)('vision.projection.weight'),
  );
}

/**
 * The vision tower before its projection: [batch, hiddenSize]. Training also reads the caption's words from it
 * (`vision.word_head`), a dense signal that teaches the tower objects faster than the batch-relative contrastive
 * loss alone.
 */
export function visionFeatures(
  autodiff: Autodiff,
  pixels: SymbolicTensor,
  weight: WeightSource,
  config: DualEncoderConfig,
): SymbolicTensor {
  const {
    add,
    gelu,
    layerNormalization,
    linear,
    mergeHeads,
    reshape,
    scaledDotProductAttention,
    splitHeads,
    transpose,
  } = autodiff;
  const get = weightsOf(weight, config);
  const { imageSize, patchSize, heads } = config;
  const grid = imageSize / patchSize;
  const cut = reshape(pixels, [-1, 3, grid, patchSize, grid, patchSize]);
  const patches = reshape(transpose(cut, [0, 2, 4, 1, 3, 5]), [-1, grid * grid, 3 * patchSize * patchSize]);
  let x = add(linear(patches, get('vision.patch.weight'), get('vision.patch.bias')), get('vision.position_embedding'));
  const normed = layerNormalization(x, get('vision.attention_norm.weight'), get('vision.attention_norm.bias'));
  const [query, key, value] = ['query', 'key', 'value'].map((part) =>
    splitHeads(linear(normed, get(`vision.${part}.weight`)), heads),
  ); // [batch, heads, patches, width / heads]
  const attended = mergeHeads(scaledDotProductAttention(query!, key!, value!, { causal: false }));
  x = add(x, linear(attended, get('vision.attention_output.weight'), get('vision.attention_output.bias')));
  const inner = layerNormalization(x, get('vision.mlp_norm.weight'), get('vision.mlp_norm.bias'));
  const mlp = linear(
    gelu(linear(inner, get('vision.mlp_in.weight'), get('vision.mlp_in.bias'))),
    get('vision.mlp_out.weight'),
    get('vision.mlp_out.bias'),
  );
  x = add(x, mlp); // [batch, patches, width]
  const { concat, reduceMax, reduceMean } = autodiff;
  const pooled = concat([reduceMean(x, [1]), reduceMax(x, [1])], 1); // [batch, 2 * width]
  return gelu(linear(pooled, get('vision.hidden.weight'), get('vision.hidden.bias')));
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
