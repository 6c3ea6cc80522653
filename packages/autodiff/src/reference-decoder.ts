import { linear, scaledDotProductAttention, softmaxCrossEntropy } from './composites';
import { Graph, type SymbolicTensor } from './graph';
import { add, gather, gelu, gemm, layerNormalization, reshape, split, transpose } from './ops';
import { normal, ones, type ParameterStore, zeros } from './training/index';

/** Size of a GPT-2-style decoder (pre-LayerNorm blocks, learned positions, output head tied to the embedding). */
export interface ReferenceDecoderConfig {
  /** Transformer blocks. */
  layers: number;
  /** Width of the residual stream. */
  modelWidth: number;
  /** Attention heads; must divide `modelWidth`. */
  heads: number;
  /** Longest sequence (positions learned). */
  context: number;
  /** Vocabulary size. */
  vocabulary: number;
  /** Hidden width of the MLP as a multiple of `modelWidth`; 4 by default. */
  mlpRatio?: number;
}

/** The decoder the autodiff, lm and sft benchmarks train: 4 layers, width 256, 4 heads, context 128, vocabulary 4096. */
export const benchmarkDecoderConfig: ReferenceDecoderConfig = {
  layers: 4,
  modelWidth: 256,
  heads: 4,
  context: 128,
  vocabulary: 4096,
};

/** Parameter names and shapes of the decoder, in a fixed order. */
export function referenceDecoderParameterShapes(config: ReferenceDecoderConfig): Map<string, number[]> {
  const width = config.modelWidth;
  const hidden = width * (config.mlpRatio ?? 4);
  const shapes = new Map<string, number[]>([
    ['wte', [config.vocabulary, width]],
    ['wpe', [config.context, width]],
  ]);
  for (let layer = 0; layer < config.layers; layer++) {
    const prefix = `h.${layer}.`;
    shapes.set(`${prefix}ln_1.weight`, [width]);
    shapes.set(`${prefix}ln_1.bias`, [width]);
    shapes.set(`${prefix}attn.c_attn.weight`, [width, 3 * width]);
    shapes.set(`${prefix}attn.c_attn.bias`, [3 * width]);
    shapes.set(`${prefix}attn.c_proj.weight`, [width, width]);
    shapes.set(`${prefix}attn.c_proj.bias`, [width]);
    shapes.set(`${prefix}ln_2.weight`, [width]);
    shapes.set(`${prefix}ln_2.bias`, [width]);
    shapes.set(`${prefix}mlp.c_fc.weight`, [width, hidden]);
    shapes.set(`${prefix}mlp.c_fc.bias`, [hidden]);
    shapes.set(`${prefix}mlp.c_proj.weight`, [hidden, width]);
    shapes.set(`${prefix}mlp.c_proj.bias`, [width]);
  }
  shapes.set('ln_f.weight', [width]);
  shapes.set('ln_f.bias', [width]);
  return shapes;
}

/** Adds the decoder's parameters to `store` with GPT-2's initialisation (normal, std 0.02; LayerNorm 1 and 0). */
export function addReferenceDecoderParameters(store: ParameterStore, config: ReferenceDecoderConfig): void {
  for (const [name, shape] of referenceDecoderParameterShapes(config)) {
    const isNormScale = /ln_\w+\.weight$/.test(name);
    const isBias = name.endsWith('.bias');
    store.add(name, shape, isNormScale ? ones : isBias ? zeros : normal({ std: 0.02 }));
  }
}

/** The values a decoder graph is built around. */
export interface ReferenceDecoderGraph {
  graph: Graph;
  /** int64 [batch, sequence] token ids (input `tokens`). */
  tokens: SymbolicTensor;
  /** int64 [batch, sequence] next-token ids, -100 where ignored (input `targets`). */
  targets: SymbolicTensor;
  /** [batch * sequence, vocabulary] logits. */
  logits: SymbolicTensor;
  /** Mean next-token cross-entropy over counted targets. */
  loss: SymbolicTensor;
}

/**
 * Builds the decoder's training forward for a fixed batch and sequence length. Activations are kept as
 * [batch * sequence, width] rows so every projection is one Gemm forward and two transposed Gemms backward.
 */
export function buildReferenceDecoder(
  config: ReferenceDecoderConfig,
  batch: number,
  sequence: number,
  name = 'reference-decoder',
): ReferenceDecoderGraph {
  const graph = new Graph(name);
  const width = config.modelWidth;
  const headSize = width / config.heads;
  const rows = batch * sequence;
  const parameters = new Map<string, SymbolicTensor>();
  for (const [parameterName, shape] of referenceDecoderParameterShapes(config)) {
    parameters.set(parameterName, graph.parameter(parameterName, shape));
  }
  const p = (parameterName: string) => parameters.get(parameterName)!;
  const tokens = graph.input('tokens', 'int64', [batch, sequence]);
  const targets = graph.input('targets', 'int64', [batch, sequence]);
  const positions = graph.constant(
    Array.from({ length: sequence }, (_, index) => index),
    'int64',
  );

  // x: [batch * sequence, width]
  let x = reshape(add(gather(p('wte'), tokens), gather(p('wpe'), positions)), [rows, width]);
  for (let layer = 0; layer < config.layers; layer++) {
    const prefix = `h.${layer}.`;
    const normed = layerNormalization(x, p(`${prefix}ln_1.weight`), p(`${prefix}ln_1.bias`));
    const qkv = gemm(normed, p(`${prefix}attn.c_attn.weight`), p(`${prefix}attn.c_attn.bias`)); // (rows, 3 width)
    // (rows, 3 width) -> (batch, sequence, 3, heads, headSize) -> (3, batch, heads, sequence, headSize)
    const heads = transpose(reshape(qkv, [batch, sequence, 3, config.heads, headSize]), [2, 0, 3, 1, 4]);
    const [query, key, value] = split(heads, [1, 1, 1], 0).map((part) =>
      reshape(part, [batch, config.heads, sequence, headSize]),
    );
    const attended = scaledDotProductAttention(query!, key!, value!); // (batch, heads, sequence, headSize)
    const merged = reshape(transpose(attended, [0, 2, 1, 3]), [rows, width]);
    x = add(x, gemm(merged, p(`${prefix}attn.c_proj.weight`), p(`${prefix}attn.c_proj.bias`)));
    const normed2 = layerNormalization(x, p(`${prefix}ln_2.weight`), p(`${prefix}ln_2.bias`));
    const hidden = gelu(linear(normed2, p(`${prefix}mlp.c_fc.weight`), p(`${prefix}mlp.c_fc.bias`)));
    x = add(x, linear(hidden, p(`${prefix}mlp.c_proj.weight`), p(`${prefix}mlp.c_proj.bias`)));
  }
  const final = layerNormalization(x, p('ln_f.weight'), p('ln_f.bias'));
  const logits = gemm(final, p('wte'), null, { transB: true }); // (rows, vocabulary), head tied to wte
  const loss = softmaxCrossEntropy(logits, reshape(targets, [rows]));
  return { graph, tokens, targets, logits, loss };
}

/**
 * Model FLOPs of one training step (forward + backward) on `tokens` tokens: 6 x matmul parameters x tokens
 * (blocks and the tied output head; lookups are free) plus the attention products, 12 x layers x width x
 * sequence per token.
 */
export function referenceDecoderTrainingFlops(config: ReferenceDecoderConfig, batch: number, sequence: number): number {
  const width = config.modelWidth;
  const hidden = width * (config.mlpRatio ?? 4);
  const perLayer = width * 3 * width + width * width + 2 * width * hidden;
  const matmulParameters = config.layers * perLayer + config.vocabulary * width;
  const tokens = batch * sequence;
  return 6 * matmulParameters * tokens + 12 * config.layers * width * sequence * tokens;
}
