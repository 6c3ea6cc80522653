import { toOnnxModel } from '@diffchat/autodiff';
import * as ort from 'onnxruntime-node';
import type { ModelConfigBase } from '../architecture-definition';
import type { CausalLanguageModelDefinition } from '../models/model-definition';
import { buildDecodingGraph, DECODER_NAMES, type ModelWeights } from '../models/model-graphs';

/** Options of {@link DecoderSession.create}. */
export interface DecoderSessionOptions {
  /**
   * `initializers` bakes the weights into the session (ONNX Runtime pre-packs them; fastest); `inputs` feeds
   * them on every step without copying (needed above protobuf's 2 GB and to keep one copy of a large model).
   * Default: `inputs` when the weights exceed 1 GiB, else `initializers`.
   */
  placement?: 'initializers' | 'inputs';
  /** Logits of the last position only ([batch, 1, vocab]), what generation needs. Default false. */
  lastPositionOnly?: boolean;
  /** Also compute the greedy token and its log-probability in the graph (see {@link DecoderStepInputs.greedy}). */
  greedyOutputs?: boolean;
  /**
   * `concatenated` (default): each step returns a new cache (past + new positions) from ONNX Runtime.
   * `preallocated`: the cache is a fixed-capacity buffer written in place (grown when full); each step only
   * copies the new positions into it, and a cache object is valid until the next step that uses it.
   */
  cache?: 'concatenated' | 'preallocated';
  /** Threads inside one operator; ONNX Runtime's default (one per core) when omitted. */
  intraOpNumThreads?: number;
  /** `'cpu'` (default) or `'cuda'` (needs onnxruntime-node's CUDA build). */
  executionProvider?: 'cpu' | 'cuda';
  /**
   * Further ONNX Runtime session options, applied last. By default idle intra-op threads do not spin
   * (`extra: { session: { intra_op: { allow_spinning: '0' } } }`); pass `'1'` there to let them spin.
   */
  sessionOptions?: ort.InferenceSession.SessionOptions;
}

/** The KV cache of a batch: ONNX Runtime tensors fed back as they came out, and how many positions it holds. */
export interface KeyValueCache {
  readonly tensors: Readonly<Record<string, ort.Tensor>>;
  /** Cached positions per row (padding included). */
  readonly length: number;
  /** Rows. */
  readonly batch: number;
  /** Preallocated caches: positions the buffers hold ([batch, heads, capacity, headSize] per tensor). */
  readonly capacity?: number;
}

/** One decoding step's inputs; arrays are row-major. */
export interface DecoderStepInputs {
  /** [batch, seq] new tokens. */
  inputIds: BigInt64Array;
  /** [batch, cache.length + seq], 1 = attend. */
  attentionMask: BigInt64Array;
  /** [batch, seq] absolute positions (architectures with learned positions; ignored otherwise). */
  positionIds?: BigInt64Array;
  /** [batch, seq]: the new tokens per row. */
  sequenceLength: number;
  cache: KeyValueCache;
  /**
   * Return the most likely next token per row and its log-probability instead of the logits (a session
   * created with `greedyOutputs`), so the logits never leave ONNX Runtime.
   */
  greedy?: boolean;
}

/** One decoding step's outputs. */
export interface DecoderStepOutputs {
  /** [batch, seq or 1, vocab] logits (empty for a greedy step). */
  logits: Float32Array;
  /** Shape of `logits`. */
  logitsShape: [number, number, number];
  /** Greedy steps: the most likely token of each row's last position (lowest id on ties). */
  nextTokens?: BigInt64Array;
  /** Greedy steps: log-probability of each of `nextTokens`. */
  nextTokenLogProbs?: Float32Array;
  /** The cache extended by the new positions. */
  cache: KeyValueCache;
}

const ONE_GIBIBYTE = 2 ** 30;

/**
 * Runs a model's incremental decoding graph on ONNX Runtime. The cache stays as ONNX Runtime tensors between
 * steps (the presents of one step are the past of the next, never copied in JavaScript), and fed weights are
 * wrapped once, so a step costs one run.
 */
export class DecoderSession {
  private readonly cacheOutputs: string[];

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly weightFeeds: Readonly<Record<string, ort.Tensor>>,
    /** Transformer blocks. */
    readonly layers: number,
    /** Attention heads. */
    readonly heads: number,
    /** Width of one head. */
    readonly headSize: number,
    /** Whether steps need `positionIds`. */
    readonly usesPositionIds: boolean,
    /** Whether the cache is a preallocated buffer written in place. */
    readonly preallocated: boolean,
  ) {
    this.cacheOutputs = Array.from({ length: layers }, (_, layer) => [
      DECODER_NAMES.presentKey(layer),
      DECODER_NAMES.presentValue(layer),
    ]).flat();
  }

  /** Builds the decoding graph for a model's weights and opens an ONNX Runtime session on it. */
  static async create(
    definition: CausalLanguageModelDefinition,
    config: ModelConfigBase,
    weights: ModelWeights,
    options: DecoderSessionOptions = {},
  ): Promise<DecoderSession> {
    let bytes = 0;
    for (const tensor of weights.values()) bytes += tensor.data.byteLength;
    const placement = options.placement ?? (bytes > ONE_GIBIBYTE ? 'inputs' : 'initializers');
    const { graph, fedWeights } = buildDecodingGraph(definition, config, {
      weights,
      placement,
      lastPositionOnly: options.lastPositionOnly,
      greedyOutputs: options.greedyOutputs,
      cache: options.cache,
    });
    const session = await ort.InferenceSession.create(toOnnxModel(graph).model, {
      executionProviders: [options.executionProvider ?? 'cpu'],
      graphOptimizationLevel: 'all',
      // Idle intra-op threads sleep instead of spinning: a decoding step is a few milliseconds of small
      // operators, and spinning workers took CPU from the busy ones (steps twice as slow on a loaded machine).
      extra: { session: { intra_op: { allow_spinning: '0' } } },
      ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
      ...options.sessionOptions,
    });
    const weightFeeds: Record<string, ort.Tensor> = {};
    for (const name of fedWeights) {
      const tensor = weights.get(name)!;
      weightFeeds[name] = new ort.Tensor('float32', tensor.data, [...tensor.shape]);
    }
    const { heads, hiddenSize, layers } = definition.architecture.dimensions(config);
    return new DecoderSession(
      session,
      weightFeeds,
      layers,
      heads,
      hiddenSize / heads,
      definition.usesPositionIds,
      options.cache === 'preallocated',
    );
  }

  /**
   * An empty cache (length 0) for `batch` rows; `capacity` sizes a preallocated cache (the positions a
   * generation will cache: prompt + new tokens), which grows when a step needs more.
   */
  emptyCache(batch: number, capacity = 64): KeyValueCache {
    const tensors: Record<string, ort.Tensor> = {};
    const size = this.preallocated ? capacity : 0;
    for (let layer = 0; layer < this.layers; layer++) {
      const shape = [batch, this.heads, size, this.headSize];
      const elements = batch * this.heads * size * this.headSize;
      tensors[DECODER_NAMES.pastKey(layer)] = new ort.Tensor('float32', new Float32Array(elements), shape);
      tensors[DECODER_NAMES.pastValue(layer)] = new ort.Tensor('float32', new Float32Array(elements), shape);
    }
    return { tensors, length: 0, batch, ...(this.preallocated ? { capacity } : {}) };
  }

  /** A preallocated cache with room for `needed` positions, the cached ones copied over. */
  private grown(cache: KeyValueCache, needed: number): KeyValueCache {
    const capacity = Math.max(needed, 2 * (cache.capacity ?? 0));
    const larger = this.emptyCache(cache.batch, capacity);
    for (const [name, tensor] of Object.entries(cache.tensors)) {
      copyPositions(
        tensor.data as Float32Array,
        cache.capacity!,
        larger.tensors[name]!.data as Float32Array,
        capacity,
        0,
        cache.length,
        cache.batch * this.heads,
        this.headSize,
      );
    }
    return { ...larger, length: cache.length };
  }

  /** Runs the model on new tokens after the cached ones. */
  async step(inputs: DecoderStepInputs): Promise<DecoderStepOutputs> {
    const { batch, length } = inputs.cache;
    const sequence = inputs.sequenceLength;
    if (inputs.inputIds.length !== batch * sequence) {
      throw new RangeError(
        `decoder step: input_ids has ${inputs.inputIds.length} values, expected ${batch} x ${sequence}`,
      );
    }
    if (inputs.attentionMask.length !== batch * (length + sequence)) {
      throw new RangeError(
        `decoder step: attention_mask has ${inputs.attentionMask.length} values, expected ${batch} x ${length + sequence}`,
      );
    }
    let cache: KeyValueCache = inputs.cache;
    // A preallocated buffer is fed whole; the graph reads its first `length` slots (mask length - sequence).
    if (this.preallocated && length + sequence > cache.capacity!) cache = this.grown(cache, length + sequence);
    const feeds: Record<string, ort.Tensor> = {
      ...this.weightFeeds,
      ...cache.tensors,
      [DECODER_NAMES.inputIds]: new ort.Tensor('int64', inputs.inputIds, [batch, sequence]),
      [DECODER_NAMES.attentionMask]: new ort.Tensor('int64', inputs.attentionMask, [batch, length + sequence]),
    };
    if (this.usesPositionIds) {
      if (inputs.positionIds?.length !== batch * sequence) {
        throw new RangeError(`decoder step: position_ids must hold ${batch} x ${sequence} values`);
      }
      feeds[DECODER_NAMES.positionIds] = new ort.Tensor('int64', inputs.positionIds, [batch, sequence]);
    }
    const fetches = inputs.greedy
      ? [...this.cacheOutputs, DECODER_NAMES.nextToken, DECODER_NAMES.nextTokenLogProb]
      : [...this.cacheOutputs, DECODER_NAMES.logits];
    const results = await this.session.run(feeds, fetches);
    let next: KeyValueCache;
    if (this.preallocated) {
      for (let layer = 0; layer < this.layers; layer++) {
        for (const [past, present] of [
          [DECODER_NAMES.pastKey(layer), DECODER_NAMES.presentKey(layer)],
          [DECODER_NAMES.pastValue(layer), DECODER_NAMES.presentValue(layer)],
        ] as const) {
          const target = cache.tensors[past]!.data as Float32Array;
          const fresh = results[present]!.data as Float32Array; // (B, nh, S, hs)
          copyPositions(fresh, sequence, target, cache.capacity!, length, sequence, batch * this.heads, this.headSize);
        }
      }
      next = { ...cache, length: length + sequence };
    } else {
      const tensors: Record<string, ort.Tensor> = {};
      for (let layer = 0; layer < this.layers; layer++) {
        tensors[DECODER_NAMES.pastKey(layer)] = results[DECODER_NAMES.presentKey(layer)]!;
        tensors[DECODER_NAMES.pastValue(layer)] = results[DECODER_NAMES.presentValue(layer)]!;
      }
      next = { tensors, length: length + sequence, batch };
    }
    if (inputs.greedy) {
      return {
        logits: new Float32Array(0),
        logitsShape: [batch, 0, 0],
        nextTokens: results[DECODER_NAMES.nextToken]!.data as BigInt64Array,
        nextTokenLogProbs: results[DECODER_NAMES.nextTokenLogProb]!.data as Float32Array,
        cache: next,
      };
    }
    const logits = results[DECODER_NAMES.logits]!;
    const [rows, positions, vocabulary] = logits.dims.map(Number) as [number, number, number];
    return { logits: logits.data as Float32Array, logitsShape: [rows, positions, vocabulary], cache: next };
  }

  /** Releases the ONNX Runtime session. */
  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Copies `count` positions of every (batch, head) block from `source` ([blocks, sourceLength, width], starting
 * at position 0) into `target` ([blocks, targetLength, width]) starting at position `offset`.
 */
function copyPositions(
  source: Float32Array,
  sourceLength: number,
  target: Float32Array,
  targetLength: number,
  offset: number,
  count: number,
  blocks: number,
  width: number,
): void {
  for (let block = 0; block < blocks; block++) {
    const from = block * sourceLength * width;
    target.set(source.subarray(from, from + count * width), (block * targetLength + offset) * width);
  }
}

/**
 * transformers' position ids for a left- or right-padded batch: the running count of attended tokens minus
 * one, 1 at padding. `mask` is [batch, length] (0/1); returns the last `take` columns.
 */
export function positionIdsFromMask(
  mask: ArrayLike<number | bigint>,
  batch: number,
  length: number,
  take = length,
): BigInt64Array {
  const positions = new BigInt64Array(batch * take);
  for (let row = 0; row < batch; row++) {
    let count = 0;
    for (let column = 0; column < length; column++) {
      const attended = Number(mask[row * length + column]) === 1;
      if (attended) count++;
      if (column >= length - take) positions[row * take + column - (length - take)] = BigInt(attended ? count - 1 : 1);
    }
  }
  return positions;
}
