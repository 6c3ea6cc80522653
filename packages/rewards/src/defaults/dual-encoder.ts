import type { Graph, ParameterStore, SymbolicTensor } from '@diffchat/autodiff';
import type { Autodiff } from '../model-runtime';

/** Sizes of the embedded default dual encoder. */
export interface DualEncoderConfig {
  /** Tokens of the word tokenizer. */
  vocabularySize: number;
  /** Side of the square input image (pixel_values are [batch, 3, imageSize, imageSize]). */
  imageSize: number;
  /**
   * Side of the square cells the image becomes tokens of: with the `patches` stem each cell's pixels are one
   * token; the `convolution` stem reaches the same grid by three stride-2 stages (so it needs 8 here).
   */
  patchSize: number;
  /**
   * How pixels become the transformer's tokens: `patches` cuts non-overlapping patches and projects each (ViT);
   * `convolution` runs three stages of space-to-depth (stride 2) and a 3x3 convolution with GELU, whose overlapping
   * receptive fields see small objects and their colours whole, then projects each cell of the 8x8-downsampled grid.
   */
  stem: 'patches' | 'convolution';
  /** Output channels of the convolution stem's first stage (the second has twice as many); unused by `patches`. */
  stemChannels: number;
  /** Pre-norm transformer blocks of the vision tower. */
  visionLayers: number;
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

/**
 * The sizes `trainDefaultRewards` uses: its `renderSize` sets `imageSize`, and `patchSize` is an eighth of it with
 * the `patches` stem (an 8x8 grid of tokens), 8 with the `convolution` stem.
 */
export const defaultDualEncoderConfig: Omit<DualEncoderConfig, 'vocabularySize'> = {
  imageSize: 64,
  patchSize: 8,
  stem: 'patches',
  stemChannels: 32,
  visionLayers: 1,
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
  const shapes = new Map<string, number[]>([['text.token_embedding', [vocabularySize, width]]]);
  for (let layer = 0; layer < textLayers; layer++) {
    shapes.set(`text.window.${layer}.weight`, [3 * width, width]);
    shapes.set(`text.window.${layer}.bias`, [width]);
  }
  shapes.set('text.hidden.weight', [2 * width, hiddenSize]);
  shapes.set('text.hidden.bias', [hiddenSize]);
  shapes.set('text.projection.weight', [hiddenSize, embeddingSize]);
  let cellValues = 3 * patchSize * patchSize;
  if (config.stem === 'convolution') {
    // Each stage: space-to-depth quadruples the channels, then a 3x3 convolution reads 9 neighbours of them.
    let channels = 3;
    for (const [stage, out] of convolutionStages(config).entries()) {
      shapes.set(`vision.stem.${stage}.weight`, [9 * 4 * channels, out]);
      shapes.set(`vision.stem.${stage}.bias`, [out]);
      channels = out;
    }
    cellValues = 4 * channels;
  }
  shapes.set('vision.patch.weight', [cellValues, width]);
  shapes.set('vision.patch.bias', [width]);
  shapes.set('vision.position_embedding', [patches, width]);
  for (let block = 0; block < config.visionLayers; block++) {
    const prefix = `vision.block.${block}`;
    const entries: [string, number[]][] = [
      ['attention_norm.weight', [width]],
      ['attention_norm.bias', [width]],
      ['query.weight', [width, width]],
      ['key.weight', [width, width]],
      ['value.weight', [width, width]],
      ['attention_output.weight', [width, width]],
      ['attention_output.bias', [width]],
      ['mlp_norm.weight', [width]],
      ['mlp_norm.bias', [width]],
      ['mlp_in.weight', [width, hiddenSize]],
      ['mlp_in.bias', [hiddenSize]],
      ['mlp_out.weight', [hiddenSize, width]],
      ['mlp_out.bias', [width]],
    ];
    for (const [name, shape] of entries) shapes.set(`${prefix}.${name}`, shape);
  }
  const entries: [string, number[]][] = [
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

/** Output channels of the convolution stem's two convolution stages (the third stage only rearranges). */
function convolutionStages(config: DualEncoderConfig): number[] {
  return [config.stemChannels, 2 * config.stemChannels];
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
 * Vision tower, a small vision transformer: the image becomes an 8x8 grid of tokens through its stem (see
 * {@link DualEncoderConfig.stem}), each projected to `width` plus a learned position embedding, then
 * `visionLayers` pre-norm blocks (multi-head self-attention over the tokens, then a GELU MLP per token, both
 * residual), mean and max pooling over tokens, then Linear -> GELU -> Linear.
 * `pixels`: [batch, 3, imageSize, imageSize] -> [batch, embeddingSize].
 */
export function visionTower(
  autodiff: Autodiff,
  pixels: SymbolicTensor,
  weight: WeightSource,
  config: DualEncoderConfig,
): SymbolicTensor {
  return visionEmbedding(autodiff, visionFeatures(autodiff, pixels, weight, config), weight, config);
}

/** The image embedding from {@link visionFeatures}: their projection (not normalised, as CLIP's). */
export function visionEmbedding(
  autodiff: Autodiff,
  features: SymbolicTensor,
  weight: WeightSource,
  config: DualEncoderConfig,
): SymbolicTensor {
  return autodiff.linear(features, weightsOf(weight, config)('vision.projection.weight'));
}

/** Logits of each vocabulary word occurring in the image's caption, read from {@link visionFeatures}. */
export function wordLogits(
  autodiff: Autodiff,
  features: SymbolicTensor,
  weight: WeightSource,
  config: DualEncoderConfig,
): SymbolicTensor {
  const get = weightsOf(weight, config);
  return autodiff.linear(features, get('vision.word_head.weight'), get('vision.word_head.bias'));
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
  let cells: SymbolicTensor; // [batch, grid * grid, values of a cell]
  if (config.stem === 'convolution') {
    if (patchSize !== 8) throw new RangeError(`the convolution stem downsamples by 8, got patchSize ${patchSize}`);
    let map = transpose(pixels, [0, 2, 3, 1]); // channels last: [batch, side, side, 3]
    let side = imageSize;
    let channels = 3;
    for (const [stage, out] of convolutionStages(config).entries()) {
      map = spaceToDepth(autodiff, map, side, channels);
      side /= 2;
      channels *= 4;
      map = gelu(convolution3x3(autodiff, map, get(`vision.stem.${stage}.weight`), get(`vision.stem.${stage}.bias`)));
      channels = out;
    }
    cells = reshape(spaceToDepth(autodiff, map, side, channels), [-1, grid * grid, 4 * channels]);
  } else {
    const cut = reshape(pixels, [-1, 3, grid, patchSize, grid, patchSize]);
    cells = reshape(transpose(cut, [0, 2, 4, 1, 3, 5]), [-1, grid * grid, 3 * patchSize * patchSize]);
  }
  let x = add(linear(cells, get('vision.patch.weight'), get('vision.patch.bias')), get('vision.position_embedding'));
  for (let block = 0; block < config.visionLayers; block++) {
    const at = (name: string) => get(`vision.block.${block}.${name}`);
    const normed = layerNormalization(x, at('attention_norm.weight'), at('attention_norm.bias'));
    const [query, key, value] = ['query', 'key', 'value'].map((part) =>
      splitHeads(linear(normed, at(`${part}.weight`)), heads),
    ); // [batch, heads, patches, width / heads]
    const attended = mergeHeads(scaledDotProductAttention(query!, key!, value!, { causal: false }));
    x = add(x, linear(attended, at('attention_output.weight'), at('attention_output.bias')));
    const inner = layerNormalization(x, at('mlp_norm.weight'), at('mlp_norm.bias'));
    const mlp = linear(
      gelu(linear(inner, at('mlp_in.weight'), at('mlp_in.bias'))),
      at('mlp_out.weight'),
      at('mlp_out.bias'),
    );
    x = add(x, mlp); // [batch, patches, width]
  }
  const { concat, reduceMax, reduceMean } = autodiff;
  const pooled = concat([reduceMean(x, [1]), reduceMax(x, [1])], 1); // [batch, 2 * width]
  return gelu(linear(pooled, get('vision.hidden.weight'), get('vision.hidden.bias')));
}

/**
 * Space-to-depth with block 2 on a channels-last map: [batch, side, side, channels] ->
 * [batch, side / 2, side / 2, 4 * channels], each output cell holding its 2x2 input cells in row-major order
 * (channel `(2 dy + dx) * channels + c`). A stride-2 downsampling that loses nothing.
 */
export function spaceToDepth(autodiff: Autodiff, x: SymbolicTensor, side: number, channels: number): SymbolicTensor {
  const { reshape, transpose } = autodiff;
  const half = side / 2;
  if (!Number.isInteger(half)) throw new RangeError(`spaceToDepth: side must be even, got ${side}`);
  const blocks = reshape(x, [-1, half, 2, half, 2, channels]);
  return reshape(transpose(blocks, [0, 1, 3, 2, 4, 5]), [-1, half, half, 4 * channels]);
}

/**
 * A 3x3 convolution with zero padding 1 (the output keeps the input's size) on a channels-last map, written with
 * ops that have gradients: the nine shifted copies of the padded map side by side on the channel axis, then one
 * matrix product. `x`: [batch, height, width, channels]; `weight`: [9 * channels, out], row
 * `(3 ky + kx) * channels + c` multiplying input `(y + ky - 1, x + kx - 1, c)`; `bias`: [out].
 */
export function convolution3x3(
  autodiff: Autodiff,
  x: SymbolicTensor,
  weight: SymbolicTensor,
  bias?: SymbolicTensor,
): SymbolicTensor {
  const { concat, linear, pad, slice } = autodiff;
  const [, height, width] = x.shape;
  if (typeof height !== 'number' || typeof width !== 'number') {
    throw new RangeError(`convolution3x3: height and width must be static, got ${x.describe()}`);
  }
  const padded = pad(x, [0, 1, 1, 0], [0, 1, 1, 0]);
  const shifted: SymbolicTensor[] = [];
  for (let ky = 0; ky < 3; ky++) {
    for (let kx = 0; kx < 3; kx++) shifted.push(slice(padded, [ky, kx], [ky + height, kx + width], [1, 2]));
  }
  return linear(concat(shifted, 3), weight, bias);
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
