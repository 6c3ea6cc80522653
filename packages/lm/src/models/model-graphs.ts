import {
  add,
  cast,
  concat,
  constantOfShape,
  dimensionOf,
  equal,
  exp,
  Graph,
  gather,
  gatherElements,
  log,
  logSoftmax,
  maximum,
  mul,
  neg,
  not,
  range,
  reduceMax,
  reduceSum,
  reshape,
  type SymbolicTensor,
  shapeOf,
  slice,
  softmaxCrossEntropy,
  squeeze,
  sub,
  unsqueeze,
  where,
} from '@diffchat/autodiff';
import type { ModelConfigBase } from '../architecture-definition';
import type { WeightTensor } from '../model-directory';
import type { CausalLanguageModelDefinition, Projection, WeightSource } from './model-definition';
import { dense, type KeyValue, positionsUpTo, runtimeSize } from './transformer-layers';

/**
 * Where the weights live in a graph:
 * - `initializers`: stored in the model (frozen; ONNX Runtime pre-packs them, fastest for models that fit);
 * - `inputs`: declared as inputs and fed on every run without a copy (for models too large to duplicate);
 * - `parameters`: trainable inputs that `grad` differentiates.
 */
export type WeightPlacement = 'initializers' | 'inputs' | 'parameters';

/** The weights of a model by Hugging Face tensor name (float32, row-major). */
export type ModelWeights = ReadonlyMap<string, WeightTensor>;

/** Names of the value and reward heads (TRL's value head, transformers' sequence-classification head). */
export const HEAD_TENSORS = {
  /** [1, width] */
  valueWeight: 'v_head.summary.weight',
  /** [1] */
  valueBias: 'v_head.summary.bias',
  /** [1, width], no bias */
  scoreWeight: 'score.weight',
} as const;

/** Names of the decoder inputs and outputs Hugging Face exports use (optimum, transformers.js). */
export const DECODER_NAMES = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  positionIds: 'position_ids',
  logits: 'logits',
  nextToken: 'next_token',
  nextTokenLogProb: 'next_token_log_prob',
  pastKey: (layer: number) => `past_key_values.${layer}.key`,
  pastValue: (layer: number) => `past_key_values.${layer}.value`,
  presentKey: (layer: number) => `present.${layer}.key`,
  presentValue: (layer: number) => `present.${layer}.value`,
} as const;

/** How to place the weights of a graph. */
export interface WeightOptions {
  /** The weights; tensors the graph needs must be here. */
  weights: ModelWeights;
  /** Default placement of every weight. Default `initializers`. */
  placement?: WeightPlacement;
  /**
   * Placement per tensor name, overriding `placement` (e.g. everything `parameters` except frozen embeddings
   * as `initializers`).
   */
  placementOf?: (name: string) => WeightPlacement | undefined;
}

/** A graph built from a model definition, with the weights it declared as inputs or parameters. */
export interface ModelGraph {
  graph: Graph;
  /** Weight names declared as fed inputs (placement `inputs`), to feed on every run. */
  fedWeights: string[];
  /** Weight names declared as trainable parameters. */
  parameters: string[];
}

function weightSource(graph: Graph, options: WeightOptions, fed: string[], trainable: string[]): WeightSource {
  const created = new Map<string, SymbolicTensor>();
  return (name) => {
    const existing = created.get(name);
    if (existing) return existing;
    const tensor = options.weights.get(name);
    if (tensor === undefined) throw new Error(`graph ${graph.name}: the weights have no tensor ${name}`);
    const placement = options.placementOf?.(name) ?? options.placement ?? 'initializers';
    let value: SymbolicTensor;
    if (placement === 'initializers') value = graph.initializer(name, tensor.data, tensor.shape);
    else if (placement === 'inputs') {
      value = graph.input(name, 'float32', tensor.shape);
      fed.push(name);
    } else {
      value = graph.parameter(name, tensor.shape);
      trainable.push(name);
    }
    created.set(name, value);
    return value;
  };
}

interface ModelInputs {
  inputIds: SymbolicTensor;
  attentionMask: SymbolicTensor;
  positionIds?: SymbolicTensor;
}

function declareInputs(graph: Graph, definition: CausalLanguageModelDefinition, maskLength: string): ModelInputs {
  return {
    inputIds: graph.input(DECODER_NAMES.inputIds, 'int64', ['batch_size', 'sequence_length']),
    attentionMask: graph.input(DECODER_NAMES.attentionMask, 'int64', ['batch_size', maskLength]),
    positionIds: definition.usesPositionIds
      ? graph.input(DECODER_NAMES.positionIds, 'int64', ['batch_size', 'sequence_length'])
      : undefined,
  };
}

/** Options of {@link buildDecodingGraph}. */
export interface DecodingGraphOptions extends WeightOptions {
  /** Compute logits only for the last position ([batch, 1, vocab]): what generation needs. Default false. */
  lastPositionOnly?: boolean;
  /**
   * Also output `next_token` (int64 [batch], the last position's most likely token, lowest id on ties) and
   * `next_token_log_prob` ([batch], its log-probability), so greedy decoding never copies the logits out.
   */
  greedyOutputs?: boolean;
  /**
   * `concatenated` (default, the export layout): presents are past + new positions. `preallocated`: the past
   * inputs are a fixed-capacity cache [batch, heads, capacity, headSize] whose first `attention_mask` length -
   * `seq` positions are filled (the step reads only those), and presents hold only the new positions, for the
   * caller to write into the cache (no per-step copy of the whole cache).
   */
  cache?: 'concatenated' | 'preallocated';
  /** Graph name. Default `<model_type>-decoder`. */
  name?: string;
}

/**
 * The incremental decoding graph with KV cache, which is also the ONNX export. Inputs `input_ids`
 * [batch, seq], `attention_mask` [batch, past + seq], `position_ids` [batch, seq] (learned positions only),
 * `past_key_values.{i}.key` / `.value` [batch, heads, past, headSize]; outputs `logits` [batch, seq, vocab]
 * and `present.{i}.key` / `.value` [batch, heads, past + seq, headSize]. A full forward is a run with past 0.
 */
export function buildDecodingGraph(
  definition: CausalLanguageModelDefinition,
  config: ModelConfigBase,
  options: DecodingGraphOptions,
): ModelGraph {
  const graph = new Graph(options.name ?? `${config.model_type}-decoder`);
  const { heads, hiddenSize, layers } = definition.architecture.dimensions(config);
  const headSize = hiddenSize / heads;
  const inputs = declareInputs(graph, definition, 'past_sequence_length+sequence_length');
  const preallocated = options.cache === 'preallocated';
  // A preallocated cache holds `capacity` slots of which the mask says how many are filled (mask length - seq):
  // the step reads those only, so its cost follows the cached length and not the buffer's size.
  const filled = preallocated
    ? positionsUpTo(sub(runtimeSize(inputs.attentionMask, 1), runtimeSize(inputs.inputIds, 1)), 'past_sequence_length')
    : undefined;
  const past: KeyValue[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const shape = ['batch_size', heads, preallocated ? 'cache_capacity' : 'past_sequence_length', headSize];
    const key = graph.input(DECODER_NAMES.pastKey(layer), 'float32', shape);
    const value = graph.input(DECODER_NAMES.pastValue(layer), 'float32', shape);
    past.push(filled ? { key: gather(key, filled, 2), value: gather(value, filled, 2) } : { key, value });
  }
  const fed: string[] = [];
  const trainable: string[] = [];
  const w = weightSource(graph, options, fed, trainable);
  const { hidden, presents } = definition.forward(config, w, {
    ...inputs,
    past,
    separateCache: preallocated,
  });
  const last = options.lastPositionOnly ? slice(hidden, [-1], [2 ** 62], [1]) : hidden; // (B, S or 1, C)
  const projection = definition.outputProjection(config);
  const logits = graph.output(DECODER_NAMES.logits, dense(last, w(projection.name), null, projection.layout)); // (B, S, V)
  if (options.greedyOutputs) {
    const { vocabSize } = definition.architecture.dimensions(config);
    const final = gather(logits, graph.constant(-1, 'int64'), 1); // (B, V)
    const largest = reduceMax(final, [1], true); // (B, 1)
    const ids = graph.constant(
      Array.from({ length: vocabSize }, (_, index) => index),
      'float32',
    );
    // Lowest id among the maxima: the largest of -id over the positions holding the maximum.
    const candidates = where(equal(final, largest), neg(ids), -vocabSize); // (B, V)
    graph.output(DECODER_NAMES.nextToken, cast(neg(reduceMax(candidates, [1])), 'int64')); // (B)
    const logTotal = log(reduceSum(exp(sub(final, largest)), [1])); // (B)
    graph.output(DECODER_NAMES.nextTokenLogProb, neg(logTotal)); // (B): max - logsumexp
  }
  presents.forEach((present, layer) => {
    graph.output(DECODER_NAMES.presentKey(layer), present.key);
    graph.output(DECODER_NAMES.presentValue(layer), present.value);
  });
  return { graph, fedWeights: fed, parameters: trainable };
}

/** Options of {@link buildScoringGraph}. */
export interface ScoringGraphOptions extends WeightOptions {
  /** Also output `values` [batch, seq] from TRL's value head `v_head.summary` (PPO). Default false. */
  valueHead?: boolean;
  /** Also output `rewards` [batch] from the `score` head at each row's last attended position (reward models). */
  scoreHead?: boolean;
  /** Also output the full `logits` [batch, seq, vocab]. Default false. */
  logits?: boolean;
  /** Graph name. Default `<model_type>-scorer`. */
  name?: string;
}

/** A scoring graph and its outputs, for losses built on top (PPO). */
export interface ScoringGraph extends ModelGraph {
  /** [batch, seq - 1]: log p(input_ids[:, t + 1] | input_ids[:, ..t]), output `log_probs`. */
  logProbs: SymbolicTensor;
  /** [batch, seq - 1]: entropy of each next-token distribution, output `entropy`. */
  entropy: SymbolicTensor;
  /** [batch, seq], output `values` (with `valueHead`). */
  values?: SymbolicTensor;
  /** [batch], output `rewards` (with `scoreHead`). */
  rewards?: SymbolicTensor;
  /** [batch, seq, vocab] before the shift. */
  logits: SymbolicTensor;
}

/**
 * The scoring graph: per-token log-probabilities of given sequences (inputs `input_ids`, `attention_mask`,
 * `position_ids` for learned positions, all [batch, seq]), optionally a per-token value head and a scalar
 * reward head, as extra tensors with TRL/transformers names ({@link HEAD_TENSORS}) in the weights.
 */
export function buildScoringGraph(
  definition: CausalLanguageModelDefinition,
  config: ModelConfigBase,
  options: ScoringGraphOptions,
): ScoringGraph {
  const graph = new Graph(options.name ?? `${config.model_type}-scorer`);
  const inputs = declareInputs(graph, definition, 'sequence_length');
  const fed: string[] = [];
  const trainable: string[] = [];
  const w = weightSource(graph, options, fed, trainable);
  const { hidden } = definition.forward(config, w, inputs);
  const projection = definition.outputProjection(config);
  const logits = dense(hidden, w(projection.name), null, projection.layout); // (B, S, V)
  // Gather rather than Slice keeps the sequence axis dynamic under differentiation (PPO losses on top).
  const shorter = positionsUpTo(sub(runtimeSize(inputs.inputIds, 1), 1), 'sequence_length-1');
  const logProbabilities = logSoftmax(gather(logits, shorter, 1), -1); // (B, S-1, V)
  const length = runtimeSize(inputs.inputIds, 1);
  const next = range(graph.constant(1, 'int64'), length, graph.constant(1, 'int64'), ['sequence_length-1']);
  const targets = gather(inputs.inputIds, next, 1); // (B, S-1)
  const logProbs = graph.output(
    'log_probs',
    squeeze(gatherElements(logProbabilities, unsqueeze(targets, [2]), 2), [2]), // (B, S-1)
  );
  const entropy = graph.output('entropy', neg(reduceSum(mul(exp(logProbabilities), logProbabilities), [2]))); // (B, S-1)
  const result: ScoringGraph = { graph, fedWeights: fed, parameters: trainable, logProbs, entropy, logits };
  if (options.logits) graph.output('logits', logits);
  if (options.valueHead) {
    const values = dense(hidden, w(HEAD_TENSORS.valueWeight), w(HEAD_TENSORS.valueBias), 'out-in'); // (B, S, 1)
    result.values = graph.output('values', squeeze(values, [2]));
  }
  if (options.scoreHead) {
    const scores = squeeze(dense(hidden, w(HEAD_TENSORS.scoreWeight), null, 'out-in'), [2]); // (B, S)
    // The last attended position of each row: max over (position + 1) * mask, minus 1.
    const positions = cast(positionsUpTo(runtimeSize(inputs.inputIds, 1), 'sequence_length'), 'float32');
    const mask = cast(inputs.attentionMask, 'float32');
    const lastIndex = sub(reduceMax(mul(add(positions, 1), mask), [1], true), 1); // (B, 1)
    const picked = gatherElements(scores, cast(maximum(lastIndex, 0), 'int64'), 1); // (B, 1)
    result.rewards = graph.output('rewards', squeeze(picked, [1]));
  }
  return result;
}

/** Options of {@link buildTrainingGraph}. */
export interface TrainingGraphOptions extends WeightOptions {
  /** Graph name. Default `<model_type>-trainer`. */
  name?: string;
  /**
   * Replaces the weight source: called once with the graph and the default source (which applies
   * `placement` / `placementOf`), it returns the source the forward reads every weight from.
   */
  weightSource?: (graph: Graph, defaults: WeightSource) => WeightSource;
  /**
   * A projection hook for the attention and MLP projections (e.g. LoRA adapters beside frozen weights): called
   * once with the graph and the weight source in use. Default: `dense` over the named weights.
   */
  projection?: (graph: Graph, weights: WeightSource) => Projection;
}

/** The training forward: its loss, to differentiate with autodiff's `compileTrainingStep` or `trainingGraph`. */
export interface TrainingGraph extends ModelGraph {
  /** Mean next-token cross-entropy over the counted label positions. */
  loss: SymbolicTensor;
  /** Number of counted label positions (float32 scalar). */
  tokens: SymbolicTensor;
  /** [batch, seq, vocab]: the logits the loss is taken over (position t predicts labels[t + 1]). */
  logits: SymbolicTensor;
  /** [batch, seq]: the shifted labels (-100 where nothing is predicted). */
  targets: SymbolicTensor;
}

/**
 * The training forward: masked next-token cross-entropy. Inputs `input_ids`, `attention_mask`,
 * `position_ids` (learned positions) and `labels`, all int64 [batch, seq]; as in transformers, labels are
 * shifted inside (position t predicts labels[t + 1]) and labels equal to -100 count in neither the loss nor
 * the mean (padding, prompt tokens). Weights placed as `parameters` are trained, the rest are baked in.
 */
export function buildTrainingGraph(
  definition: CausalLanguageModelDefinition,
  config: ModelConfigBase,
  options: TrainingGraphOptions,
): TrainingGraph {
  const graph = new Graph(options.name ?? `${config.model_type}-trainer`);
  const inputs = declareInputs(graph, definition, 'sequence_length');
  const labels = graph.input('labels', 'int64', ['batch_size', 'sequence_length']);
  const fed: string[] = [];
  const trainable: string[] = [];
  const defaults = weightSource(graph, { placement: 'parameters', ...options }, fed, trainable);
  const w = options.weightSource ? options.weightSource(graph, defaults) : defaults;
  const project = options.projection?.(graph, w);
  const { hidden } = definition.forward(config, w, { ...inputs, ...(project ? { project } : {}) });
  const projection = definition.outputProjection(config);
  const logits = dense(hidden, w(projection.name), null, projection.layout); // (B, S, V)
  // Shift the labels, not the logits: position t predicts labels[t + 1]; the last position predicts nothing.
  const ignored = constantOfShape(
    concat([dimensionOf(labels, 0), graph.constant([1], 'int64')], 0),
    ['batch_size', 1],
    -100,
    'int64',
  );
  // The reshape restates the length as the labels' own, so the loss and its gradient see one symbolic shape.
  const targets = reshape(concat([slice(labels, [1], [2 ** 62], [1]), ignored], 1), shapeOf(labels), labels.shape); // (B, S)
  const loss = softmaxCrossEntropy(logits, targets, { ignoreIndex: -100 });
  const counted = reduceSum(cast(not(equal(targets, -100)), 'float32'));
  // A custom weight source or projection may declare parameters of its own (adapters): list them all.
  const parameters = graph.parameters().map((parameter) => parameter.name);
  return { graph, fedWeights: fed, parameters, loss, tokens: counted, logits, targets };
}
