import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  add,
  cast,
  dimensionOf,
  equal,
  expand,
  Graph,
  gatherElements,
  matmul,
  mul,
  not,
  range,
  reduceSum,
  type SymbolicTensor,
  shapeOf,
  softmaxCrossEntropy,
  squeeze,
  toOnnxModel,
  trainingGraph,
  transpose,
  unsqueeze,
  where,
} from '@diffchat/autodiff';
import { type CausalLM, DECODER_NAMES, dense, type WeightSource } from '@diffchat/lm';
import * as ort from 'onnxruntime-node';
import type { LoraTarget } from './lora';
import { IGNORE_INDEX, type PaddedBatch } from './sft-math';

/** LoRA settings of a graph: which projections are adapted, with what rank and scale. */
export interface LoraGraphOptions {
  targets: readonly LoraTarget[];
  rank: number;
  alpha: number;
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
}

/**
 * The training forward: masked next-token cross-entropy over inputs `input_ids`, `attention_mask`,
 * `position_ids` (learned positions) and `labels`, all int64 [batch, seq]. Without `lora` every weight is a
 * trainable parameter. With `lora` every weight is a frozen initializer and each adapted projection W becomes
 * W + (alpha / r) B A with A, B the only parameters, so a step feeds and returns only the adapters.
 */
export function buildSftGraph(model: CausalLM, lora?: LoraGraphOptions): SftGraph {
  const { definition, config } = model;
  const graph = new Graph(`${config.model_type}-${lora ? 'lora' : 'sft'}-trainer`);
  const inputIds = graph.input(DECODER_NAMES.inputIds, 'int64', ['batch_size', 'sequence_length']);
  const attentionMask = graph.input(DECODER_NAMES.attentionMask, 'int64', ['batch_size', 'sequence_length']);
  const positionIds = definition.usesPositionIds
    ? graph.input(DECODER_NAMES.positionIds, 'int64', ['batch_size', 'sequence_length'])
    : undefined;
  const labels = graph.input('labels', 'int64', ['batch_size', 'sequence_length']);
  const targetsByWeight = new Map((lora?.targets ?? []).map((target) => [target.weight, target]));
  const parameters: string[] = [];
  const created = new Map<string, SymbolicTensor>();
  const weights: WeightSource = (name) => {
    const existing = created.get(name);
    if (existing) return existing;
    const tensor = model.weights.get(name);
    if (tensor === undefined) throw new Error(`graph ${graph.name}: the model has no tensor ${name}`);
    let value: SymbolicTensor;
    if (!lora) {
      value = graph.parameter(name, tensor.shape);
      parameters.push(name);
    } else {
      value = graph.initializer(name, tensor.data, tensor.shape);
      const target = targetsByWeight.get(name);
      if (target) {
        const a = graph.parameter(target.loraA, [lora.rank, target.inputs]); // (r, in)
        const b = graph.parameter(target.loraB, [target.outputs, lora.rank]); // (out, r)
        parameters.push(target.loraA, target.loraB);
        // B A is (out, in); a Conv1D weight is stored (in, out), so it gets A^T B^T instead.
        const delta = target.layout === 'out-in' ? matmul(b, a) : matmul(transpose(a), transpose(b));
        value = add(value, mul(delta, lora.alpha / lora.rank));
      }
    }
    created.set(name, value);
    return value;
  };
  const { hidden } = definition.forward(config, weights, { inputIds, attentionMask, positionIds });
  const projection = definition.outputProjection(config);
  // Every position gets logits and the labels are shifted instead (the last position predicts nothing), since
  // a Slice over the run-time sequence axis of a float tensor has no gradient rule.
  const logits = dense(hidden, weights(projection.name), null, projection.layout); // (B, S, V)
  const length = squeeze(dimensionOf(labels, 1), [0]); // S, int64 scalar
  const positions = range(graph.constant(0, 'int64'), length, graph.constant(1, 'int64'), ['sequence_length']); // (S)
  const next = add(positions, 1); // (S)
  const last = equal(next, length); // (S): true at the last position
  const source = expand(unsqueeze(where(last, 0, next), [0]), shapeOf(labels), labels.shape); // (B, S)
  const targets = where(unsqueeze(last, [0]), IGNORE_INDEX, gatherElements(labels, source, 1)); // (B, S): label t + 1 at t
  const loss = softmaxCrossEntropy(logits, targets, { ignoreIndex: IGNORE_INDEX });
  const tokens = reduceSum(cast(not(equal(targets, IGNORE_INDEX)), 'float32'));
  return { graph, loss, tokens, logits, parameters };
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
  ) {}

  /**
   * Differentiates the graph's loss with respect to its parameters and opens a session on it.
   * @param shapes shape of every parameter, by name.
   */
  static async create(
    sft: SftGraph,
    shapes: ReadonlyMap<string, readonly number[]>,
    options: { intraOpNumThreads?: number } = {},
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
      ...(options.intraOpNumThreads ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
    };
    let session: ort.InferenceSession;
    if (serialized.externalData) {
      // ONNX Runtime resolves external data relative to the model file, so both go to a scratch folder.
      const folder = await mkdtemp(join(tmpdir(), 'sft-'));
      try {
        await writeFile(join(folder, 'model.onnx'), serialized.model);
        await writeFile(join(folder, serialized.externalData.location), serialized.externalData.bytes);
        session = await ort.InferenceSession.create(join(folder, 'model.onnx'), sessionOptions);
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    } else {
      session = await ort.InferenceSession.create(serialized.model, sessionOptions);
    }
    const gradients = new Map<string, Float32Array>();
    for (const name of gradientOutputs.keys()) {
      const shape = shapes.get(name);
      if (shape === undefined) throw new Error(`SftStep: no shape for parameter ${name}`);
      gradients.set(name, new Float32Array(shape.reduce((product, size) => product * size, 1)));
    }
    const positionIds = graph.inputs.has(DECODER_NAMES.positionIds);
    return new SftStep(session, gradientOutputs, shapes, gradients, positionIds);
  }

  private feeds(batch: PaddedBatch, parameters: ReadonlyMap<string, Float32Array>): Record<string, ort.Tensor> {
    const shape = [batch.rows, batch.length];
    const feeds: Record<string, ort.Tensor> = {
      [DECODER_NAMES.inputIds]: new ort.Tensor('int64', batch.inputIds, shape),
      [DECODER_NAMES.attentionMask]: new ort.Tensor('int64', batch.attentionMask, shape),
      labels: new ort.Tensor('int64', batch.labels, shape),
    };
    if (this.positionIds) feeds[DECODER_NAMES.positionIds] = new ort.Tensor('int64', batch.positionIds, shape);
    for (const name of this.gradientOutputs.keys()) {
      const data = parameters.get(name);
      if (data === undefined) throw new Error(`SftStep: parameter ${name} was not fed`);
      feeds[name] = new ort.Tensor('float32', data, [...this.shapes.get(name)!]);
    }
    return feeds;
  }

  /** Forward and backward on one padded batch with the given parameter values. */
  async run(batch: PaddedBatch, parameters: ReadonlyMap<string, Float32Array>): Promise<SftStepResult> {
    const fetches: Record<string, ort.Tensor | null> = { loss: null, tokens: null };
    for (const [name, output] of this.gradientOutputs) {
      fetches[output] = new ort.Tensor('float32', this.gradients.get(name)!, [...this.shapes.get(name)!]);
    }
    const results = await this.session.run(this.feeds(batch, parameters), fetches);
    return {
      loss: Number(results.loss!.data[0]),
      tokens: Number(results.tokens!.data[0]),
      gradients: this.gradients,
    };
  }

  /** Forward only (the loss and its token count), for evaluation: ONNX Runtime skips the backward nodes. */
  async evaluate(
    batch: PaddedBatch,
    parameters: ReadonlyMap<string, Float32Array>,
  ): Promise<{ loss: number; tokens: number }> {
    const results = await this.session.run(this.feeds(batch, parameters), ['loss', 'tokens']);
    return { loss: Number(results.loss!.data[0]), tokens: Number(results.tokens!.data[0]) };
  }

  /** Releases the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}
