import {
  add,
  createSessionFromModel,
  dropout,
  type Graph,
  mul,
  type SymbolicTensor,
  toOnnxModel,
  trainingGraph,
  where,
} from '@diffchat/autodiff';
import {
  buildTrainingGraph,
  type CausalLM,
  DECODER_NAMES,
  dense,
  type Projection,
  type WeightSource,
  type WeightTensor,
} from '@diffchat/lm';
import * as ort from 'onnxruntime-node';
import type { LoraTarget } from './lora';
import type { PaddedBatch } from './sft-math';

/** Names of the extra inputs of a LoRA graph with dropout. */
export const LORA_DROPOUT_INPUTS = {
  /** int64 scalar: the seed of the step's dropout masks (each adapted projection derives its own). */
  seed: 'lora_dropout_seed',
  /** bool scalar: true while training, false for evaluation (no dropout). */
  active: 'lora_dropout_active',
} as const;

/** LoRA settings of a graph: which projections are adapted, with what rank, scale and dropout. */
export interface LoraGraphOptions {
  targets: readonly LoraTarget[];
  rank: number;
  alpha: number;
  /** Dropout ratio on each adapter's input, in [0, 1). Default 0 (no dropout inputs). */
  dropout?: number;
  /**
   * Where the frozen base weights live: `initializers` (baked into the model; ONNX Runtime pre-packs them,
   * fastest) or `inputs` (the model's own arrays fed on every run without a copy, so a large model is held
   * once). Default: `inputs` when the weights exceed 1 GiB, else `initializers`.
   */
  frozenWeights?: 'initializers' | 'inputs';
}

/** The SFT training forward of a model, with the values tests and the runner need. */
export interface SftGraph {
  graph: Graph;
  /** Mean cross-entropy over counted label positions (scalar). */
  loss: SymbolicTensor;
  /** Counted label positions (float32 scalar). */
  tokens: SymbolicTensor;
  /** [batch, seq, vocab]: the logits the loss is taken over (position t predicts label t + 1; the last, nothing). */
  logits: SymbolicTensor;
  /** Names of the trainable parameters, in declaration order. */
  parameters: string[];
  /** Frozen weights declared as graph inputs, fed on every run (LoRA with `frozenWeights: 'inputs'`). */
  frozenInputs?: ReadonlyMap<string, WeightTensor>;
  /** Whether the graph takes the {@link LORA_DROPOUT_INPUTS}. */
  dropout?: boolean;
}

const ONE_GIBIBYTE = 1024 ** 3;

/**
 * The LoRA projection (Hu et al. 2021): y = dense(x, W, b) + (alpha / r) dropout(x) A^T B^T, with W and b
 * frozen and A [r, in], B [out, r] declared as parameters, so the backward computes no gradient for W.
 */
function loraProjection(graph: Graph, weights: WeightSource, lora: LoraGraphOptions): Projection {
  const targetsByWeight = new Map(lora.targets.map((target) => [target.weight, target]));
  const ratio = lora.dropout ?? 0;
  const seed = ratio > 0 ? graph.input(LORA_DROPOUT_INPUTS.seed, 'int64', []) : undefined;
  const active = ratio > 0 ? graph.input(LORA_DROPOUT_INPUTS.active, 'bool', []) : undefined;
  let adapted = 0;
  return (x, weightName, biasName, layout) => {
    const base = dense(x, weights(weightName), biasName === null ? null : weights(biasName), layout); // (..., out)
    const target = targetsByWeight.get(weightName);
    if (target === undefined) return base;
    const a = graph.parameter(target.loraA, [lora.rank, target.inputs]); // (r, in)
    const b = graph.parameter(target.loraB, [target.outputs, lora.rank]); // (out, r)
    // Each projection draws its own mask: the step's seed offset by the projection's index.
    const input = seed && active ? where(active, dropout(x, ratio, add(seed, 7919 * ++adapted)), x) : x; // (..., in)
    const low = mul(dense(input, a, null, 'out-in'), lora.alpha / lora.rank); // (..., r)
    return add(base, dense(low, b, null, 'out-in'));
  };
}

/**
 * The training forward: masked next-token cross-entropy over inputs `input_ids`, `attention_mask`,
 * `position_ids` (learned positions) and `labels`, all int64 [batch, seq] (lm's training graph). Without
 * `lora` every weight is a trainable parameter. With `lora` every weight is frozen and each adapted
 * projection adds (alpha / r) dropout(x) A^T B^T to its output, A and B being the only parameters: a step
 * feeds and returns only the adapters, and no gradient of a frozen weight is ever formed.
 */
export function buildSftGraph(model: CausalLM, lora?: LoraGraphOptions): SftGraph {
  const { definition, config } = model;
  let bytes = 0;
  for (const tensor of model.weights.values()) bytes += tensor.data.byteLength;
  const frozen = lora?.frozenWeights ?? (bytes > ONE_GIBIBYTE ? 'inputs' : 'initializers');
  const training = buildTrainingGraph(definition, config, {
    name: `${config.model_type}-${lora ? 'lora' : 'sft'}-trainer`,
    weights: model.weights,
    placement: lora ? frozen : 'parameters',
    ...(lora ? { projection: (graph: Graph, weights) => loraProjection(graph, weights, lora) } : {}),
  });
  const frozenInputs = new Map(training.fedWeights.map((name) => [name, model.weights.get(name)!]));
  return {
    graph: training.graph,
    loss: training.loss,
    tokens: training.tokens,
    logits: training.logits,
    parameters: training.parameters,
    ...(frozenInputs.size > 0 ? { frozenInputs } : {}),
    ...((lora?.dropout ?? 0) > 0 ? { dropout: true } : {}),
  };
}

/** Initializer bytes above which the model is written with ONNX external data (protobuf stops at 2 GiB). */
const externalDataLimit = 1024 ** 3;

/** What one {@link SftStep.run} returns. */
export interface SftStepResult {
  loss: number;
  /** Counted label positions of the batch. */
  tokens: number;
  /** d loss / d parameter by name; the arrays are reused by the next run. */
  gradients: Map<string, Float32Array>;
}

/**
 * One compiled forward + backward of an {@link SftGraph} on ONNX Runtime. Large frozen weights go to ONNX
 * external data, so a hub-sized model's initializers load past protobuf's 2 GiB limit. Gradients are written
 * into buffers allocated once.
 */
export class SftStep {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly gradientOutputs: ReadonlyMap<string, string>,
    private readonly shapes: ReadonlyMap<string, readonly number[]>,
    private readonly gradients: Map<string, Float32Array>,
    private readonly positionIds: boolean,
    private readonly frozenFeeds: Readonly<Record<string, ort.Tensor>>,
    private readonly dropout: boolean,
  ) {}

  /**
   * Differentiates the graph's loss with respect to its parameters and opens a session on it.
   * @param shapes shape of every parameter, by name.
   * @param options `intraOpNumThreads` (ONNX Runtime's default, one per core, when absent) and further ONNX
   * Runtime `sessionOptions`, applied last (by default idle threads do not spin:
   * `extra: { session: { intra_op: { allow_spinning: '0' } } }`).
   */
  static async create(
    sft: SftGraph,
    shapes: ReadonlyMap<string, readonly number[]>,
    options: { intraOpNumThreads?: number; sessionOptions?: ort.InferenceSession.SessionOptions } = {},
  ): Promise<SftStep> {
    const graph = sft.graph;
    const gradientOutputs = trainingGraph(sft.loss, {
      parameters: graph.parameters(),
      metrics: { tokens: sft.tokens },
    });
    let initializerBytes = 0;
    for (const { data } of graph.initializers.values()) initializerBytes += data.byteLength;
    const serialized = toOnnxModel(graph, {
      externalDataThreshold: initializerBytes > externalDataLimit ? 1024 * 1024 : Number.POSITIVE_INFINITY,
    });
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      // Idle intra-op threads sleep instead of spinning: spinning workers took CPU from the busy ones, and steps
      // ran 15-25% slower on the loaded 2-core machine.
      extra: { session: { intra_op: { allow_spinning: '0' } } },
      ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
      ...options.sessionOptions,
    };
    const session = await createSessionFromModel(serialized, sessionOptions);
    const gradients = new Map<string, Float32Array>();
    for (const name of gradientOutputs.keys()) {
      const shape = shapes.get(name);
      if (shape === undefined) throw new Error(`SftStep: no shape for parameter ${name}`);
      gradients.set(name, new Float32Array(shape.reduce((product, size) => product * size, 1)));
    }
    const positionIds = graph.inputs.has(DECODER_NAMES.positionIds);
    // Wrapped once; ONNX Runtime reads the model's own arrays on every run.
    const frozenFeeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of sft.frozenInputs ?? []) {
      frozenFeeds[name] = new ort.Tensor('float32', tensor.data, [...tensor.shape]);
    }
    return new SftStep(session, gradientOutputs, shapes, gradients, positionIds, frozenFeeds, sft.dropout === true);
  }

  private feeds(
    batch: PaddedBatch,
    parameters: ReadonlyMap<string, Float32Array>,
    dropoutSeed: number | undefined,
  ): Record<string, ort.Tensor> {
    const shape = [batch.rows, batch.length];
    const feeds: Record<string, ort.Tensor> = {
      ...this.frozenFeeds,
      [DECODER_NAMES.inputIds]: new ort.Tensor('int64', batch.inputIds, shape),
      [DECODER_NAMES.attentionMask]: new ort.Tensor('int64', batch.attentionMask, shape),
      labels: new ort.Tensor('int64', batch.labels, shape),
    };
    if (this.positionIds) feeds[DECODER_NAMES.positionIds] = new ort.Tensor('int64', batch.positionIds, shape);
    if (this.dropout) {
      feeds[LORA_DROPOUT_INPUTS.seed] = new ort.Tensor('int64', BigInt64Array.of(BigInt(dropoutSeed ?? 0)), []);
      feeds[LORA_DROPOUT_INPUTS.active] = new ort.Tensor('bool', Uint8Array.of(dropoutSeed === undefined ? 0 : 1), []);
    }
    for (const name of this.gradientOutputs.keys()) {
      const data = parameters.get(name);
      if (data === undefined) throw new Error(`SftStep: parameter ${name} was not fed`);
      feeds[name] = new ort.Tensor('float32', data, [...this.shapes.get(name)!]);
    }
    return feeds;
  }

  /**
   * Forward and backward on one padded batch with the given parameter values. `dropoutSeed` (an integer,
   * default 0) draws the LoRA dropout masks of graphs with dropout, so a run can be replayed exactly.
   */
  async run(
    batch: PaddedBatch,
    parameters: ReadonlyMap<string, Float32Array>,
    dropoutSeed = 0,
  ): Promise<SftStepResult> {
    const fetches: Record<string, ort.Tensor | null> = { loss: null, tokens: null };
    for (const [name, output] of this.gradientOutputs) {
      fetches[output] = new ort.Tensor('float32', this.gradients.get(name)!, [...this.shapes.get(name)!]);
    }
    const results = await this.session.run(this.feeds(batch, parameters, dropoutSeed), fetches);
    return {
      loss: Number(results.loss!.data[0]),
      tokens: Number(results.tokens!.data[0]),
      gradients: this.gradients,
    };
  }

  /**
   * Forward only (the loss and its token count), for evaluation: ONNX Runtime skips the backward nodes, and
   * LoRA dropout is off.
   */
  async evaluate(
    batch: PaddedBatch,
    parameters: ReadonlyMap<string, Float32Array>,
  ): Promise<{ loss: number; tokens: number }> {
    const results = await this.session.run(this.feeds(batch, parameters, undefined), ['loss', 'tokens']);
    return { loss: Number(results.loss!.data[0]), tokens: Number(results.tokens!.data[0]) };
  }

  /** Releases the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}
