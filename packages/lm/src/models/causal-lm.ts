import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CompiledGraph,
  type CompileOptions,
  compileGraph,
  deriveSeed,
  readSafetensors,
  SeededRandom,
  serializeSafetensors,
} from '@diffchat/autodiff';
import type { ModelConfigBase, ModelDimensions } from '../architecture-definition';
import { parseModelConfig } from '../architecture-registry';
import { DecoderSession, type DecoderSessionOptions, positionIdsFromMask } from '../generation/decoder-session';
import {
  type GeneratedSequence,
  type GeneratedToken,
  type GenerateOptions,
  generateSequences,
  type Prompts,
  streamTokens,
} from '../generation/generate';
import type { GenerationConfig } from '../generation-config';
import { loadModelDirectory, type ResolveModelOptions } from '../hub';
import { type ModelDirectory, saveModelDirectory, type WeightTensor } from '../model-directory';
import { ModelFormatError } from '../model-format-error';
import { checkParameterMemory } from '../model-size';
import { createTokenizer, type TextTokenizer } from '../tokenizer';
import type { TokenizerFiles } from '../tokenizer-files';
import { bloomModel } from './bloom';
import { gpt2Model } from './gpt2';
import {
  type CausalLanguageModelDefinition,
  getCausalLanguageModel,
  registerCausalLanguageModel,
} from './model-definition';
import {
  buildDecodingGraph,
  buildScoringGraph,
  buildTrainingGraph,
  type DecodingGraphOptions,
  HEAD_TENSORS,
  type ModelGraph,
  type ScoringGraph,
  type ScoringGraphOptions,
  type TrainingGraph,
  type TrainingGraphOptions,
} from './model-graphs';

registerCausalLanguageModel(gpt2Model);
registerCausalLanguageModel(bloomModel);

/** The parts a {@link CausalLM} is made of. */
export interface CausalLMParts {
  /** config.json contents (validated against its model_type). */
  config: Record<string, unknown> | ModelConfigBase;
  /** Weights by Hugging Face tensor name; heads (`v_head.summary.*`, `score.weight`) may be included. */
  weights: ReadonlyMap<string, WeightTensor>;
  tokenizer?: TextTokenizer | TokenizerFiles;
  generationConfig?: GenerationConfig;
}

/** Token ids of a batch, ragged or padded, and optionally its attention mask (1 = real token). */
export interface TokenBatch {
  inputIds: readonly (readonly number[])[];
  /** Default: 1 for every given token; ragged rows are right-padded with 0s. */
  attentionMask?: readonly (readonly number[])[];
}

/** What {@link CausalLM.score} returns; arrays are row-major. */
export interface SequenceScores {
  batch: number;
  /** Padded length of the batch. */
  length: number;
  /** [batch, length - 1]: log p(token t + 1 | tokens up to t). Positions whose target is padding are 0. */
  logProbs: Float32Array;
  /** [batch, length - 1]: entropy of each next-token distribution. */
  entropy: Float32Array;
  /** [batch, length]: value head outputs (with `valueHead`). */
  values?: Float32Array;
  /** [batch]: reward head outputs at each row's last real token (with `scoreHead`). */
  rewards?: Float32Array;
}

/** Options of {@link CausalLM.score}. */
export interface ScoreOptions {
  /** Also return the value head's per-token outputs (needs `v_head.summary.*` weights). */
  valueHead?: boolean;
  /** Also return the reward head's score per sequence (needs `score.weight`). */
  scoreHead?: boolean;
}

/** Options of {@link createModel}. */
export interface CreateModelOptions {
  /** Seed of the random weights. Default 0. */
  seed?: number;
  tokenizer?: TextTokenizer | TokenizerFiles;
  generationConfig?: GenerationConfig;
  /** Add TRL's value head (`v_head.summary.weight` [1, width], `.bias` [1]), zero-initialised. */
  valueHead?: boolean;
  /** Add a reward head (`score.weight` [1, width]), zero-initialised. */
  scoreHead?: boolean;
}

function padBatch(batch: TokenBatch): { ids: BigInt64Array; mask: BigInt64Array; rows: number; length: number } {
  const rows = batch.inputIds.length;
  if (rows === 0) throw new RangeError('empty batch');
  const length = Math.max(...batch.inputIds.map((row) => row.length));
  if (length === 0) throw new RangeError('every sequence of the batch is empty');
  const ids = new BigInt64Array(rows * length);
  const mask = new BigInt64Array(rows * length);
  batch.inputIds.forEach((row, index) => {
    const maskRow = batch.attentionMask?.[index];
    if (maskRow !== undefined && maskRow.length !== row.length) {
      throw new RangeError(`attentionMask[${index}] has ${maskRow.length} entries for ${row.length} tokens`);
    }
    row.forEach((id, column) => {
      if (!Number.isInteger(id) || id < 0)
        throw new RangeError(`inputIds[${index}][${column}] is not a token id: ${id}`);
      ids[index * length + column] = BigInt(id);
      mask[index * length + column] = BigInt(maskRow?.[column] ?? 1);
    });
  });
  return { ids, mask, rows, length };
}

/**
 * A causal language model: config, weights by Hugging Face name, tokenizer and generation defaults, with the
 * graphs of its architecture (decoding with KV cache, scoring, training) built from one definition.
 */
export class CausalLM {
  /** Validated config (canonical field names, defaults filled in). */
  readonly config: ModelConfigBase;
  /** The architecture's graph definition, by model_type. */
  readonly definition: CausalLanguageModelDefinition;
  /** Tokenizer, when the model has one. */
  readonly tokenizer?: TextTokenizer;
  /** Defaults for generation (generation_config.json). */
  generationConfig?: GenerationConfig;
  private weightMap: Map<string, WeightTensor>;
  private decoders = new Map<string, Promise<DecoderSession>>();
  private scorers = new Map<string, Promise<CompiledGraph>>();

  constructor(parts: CausalLMParts) {
    this.config = parseModelConfig(parts.config).config;
    this.definition = getCausalLanguageModel(this.config.model_type);
    const expected = new Map(this.definition.architecture.tensors(this.config).map((spec) => [spec.name, spec]));
    const canonical = this.definition.architecture.canonicalTensorName;
    this.weightMap = new Map();
    for (const [name, tensor] of parts.weights) {
      const mapped = canonical ? canonical(name) : name;
      const headName = Object.values(HEAD_TENSORS).includes(name as never);
      if (mapped === null && !headName) continue;
      this.weightMap.set(headName ? name : (mapped ?? name), tensor);
    }
    const missing = [...expected.values()].filter((spec) => !spec.optional && !this.weightMap.has(spec.name));
    if (missing.length > 0) {
      throw new Error(`CausalLM: missing weights ${missing.map((spec) => spec.name).join(', ')}`);
    }
    if (parts.tokenizer !== undefined) {
      this.tokenizer = 'encode' in parts.tokenizer ? parts.tokenizer : createTokenizer(parts.tokenizer);
    }
    this.generationConfig = parts.generationConfig;
  }

  /** A model from a directory read by `readModelDirectory`. */
  static fromDirectory(
    directory: Pick<ModelDirectory, 'config' | 'tokenizer' | 'generationConfig'> & {
      weights: ReadonlyMap<string, WeightTensor>;
    },
  ): CausalLM {
    return new CausalLM({
      config: directory.config,
      weights: directory.weights,
      tokenizer: directory.tokenizer,
      generationConfig: directory.generationConfig,
    });
  }

  /** Sizes of the model. */
  get dimensions(): ModelDimensions {
    return this.definition.architecture.dimensions(this.config);
  }

  /** The weights by Hugging Face name (the arrays are shared, not copied). */
  get weights(): ReadonlyMap<string, WeightTensor> {
    return this.weightMap;
  }

  /**
   * Replaces weights (e.g. after an optimiser step); names must exist with the same shapes. Sessions built
   * on the old values are released and rebuilt on next use.
   */
  async setWeights(weights: ReadonlyMap<string, WeightTensor>): Promise<void> {
    for (const [name, tensor] of weights) {
      const current = this.weightMap.get(name);
      if (current === undefined) throw new Error(`setWeights: the model has no tensor ${name}`);
      if (current.shape.join(',') !== tensor.shape.join(',')) {
        throw new Error(`setWeights: ${name} has shape [${tensor.shape}], expected [${current.shape}]`);
      }
    }
    for (const [name, tensor] of weights) this.weightMap.set(name, tensor);
    await this.dispose();
  }

  /** The incremental decoding graph (the ONNX export); see {@link buildDecodingGraph}. */
  decodingGraph(options: Omit<DecodingGraphOptions, 'weights'> = {}): ModelGraph {
    return buildDecodingGraph(this.definition, this.config, { weights: this.weightMap, ...options });
  }

  /** The scoring graph; see {@link buildScoringGraph}. */
  scoringGraph(options: Omit<ScoringGraphOptions, 'weights'> = {}): ScoringGraph {
    return buildScoringGraph(this.definition, this.config, { weights: this.weightMap, ...options });
  }

  /**
   * The training forward (loss of masked next-token cross-entropy); every weight is a trainable parameter
   * unless `placement`/`placementOf` say otherwise. Train it with autodiff's `compileTrainingStep`.
   */
  trainingGraph(options: Omit<TrainingGraphOptions, 'weights'> = {}): TrainingGraph {
    return buildTrainingGraph(this.definition, this.config, { weights: this.weightMap, ...options });
  }

  /** An ONNX Runtime session on the decoding graph, opened once per option set. */
  decoder(
    options: DecoderSessionOptions = { lastPositionOnly: true, greedyOutputs: true, cache: 'preallocated' },
  ): Promise<DecoderSession> {
    const key = JSON.stringify(options);
    let decoder = this.decoders.get(key);
    if (!decoder) {
      decoder = DecoderSession.create(this.definition, this.config, this.weightMap, options);
      this.decoders.set(key, decoder);
      decoder.catch(() => this.decoders.delete(key));
    }
    return decoder;
  }

  /**
   * Logits of every position of a batch, [batch, length, vocab] row-major, from one full forward of the
   * decoding graph (empty cache). Ragged rows are right-padded.
   */
  async forwardLogits(batch: TokenBatch): Promise<{ data: Float32Array; shape: [number, number, number] }> {
    const { ids, mask, rows, length } = padBatch(batch);
    const decoder = await this.decoder({ lastPositionOnly: false });
    const output = await decoder.step({
      inputIds: ids,
      attentionMask: mask,
      positionIds: positionIdsFromMask(mask, rows, length),
      sequenceLength: length,
      cache: decoder.emptyCache(rows),
    });
    return { data: output.logits, shape: output.logitsShape };
  }

  /**
   * Per-token log-probabilities (and entropies) of given sequences from the scoring graph, optionally the
   * value head per token and the reward head per sequence. Ragged rows are right-padded.
   */
  async score(
    batch: TokenBatch,
    options: ScoreOptions = {},
    compileOptions: CompileOptions = {},
  ): Promise<SequenceScores> {
    const { ids, mask, rows, length } = padBatch(batch);
    const key = JSON.stringify([options.valueHead ?? false, options.scoreHead ?? false, compileOptions]);
    let scorer = this.scorers.get(key);
    if (!scorer) {
      const { graph } = this.scoringGraph({ valueHead: options.valueHead, scoreHead: options.scoreHead });
      scorer = compileGraph(graph, compileOptions);
      this.scorers.set(key, scorer);
      scorer.catch(() => this.scorers.delete(key));
    }
    const feeds: Record<string, { data: BigInt64Array; shape: number[] }> = {
      input_ids: { data: ids, shape: [rows, length] },
      attention_mask: { data: mask, shape: [rows, length] },
    };
    if (this.definition.usesPositionIds) {
      feeds.position_ids = { data: positionIdsFromMask(mask, rows, length), shape: [rows, length] };
    }
    const outputs = await (await scorer).run(feeds);
    const logProbs = outputs.log_probs!.data as Float32Array;
    for (let row = 0; row < rows; row++) {
      for (let column = 1; column < length; column++) {
        if (mask[row * length + column] === 0n) logProbs[row * (length - 1) + column - 1] = 0;
      }
    }
    return {
      batch: rows,
      length,
      logProbs,
      entropy: outputs.entropy!.data as Float32Array,
      ...(outputs.values ? { values: outputs.values.data as Float32Array } : {}),
      ...(outputs.rewards ? { rewards: outputs.rewards.data as Float32Array } : {}),
    };
  }

  /** Generates continuations of one or more prompts (texts or token ids); see {@link GenerateOptions}. */
  generate(prompts: Prompts, options: GenerateOptions = {}): Promise<GeneratedSequence[]> {
    return generateSequences(this, prompts, options);
  }

  /** Like {@link generate}, yielding each token as soon as it is chosen. */
  stream(prompts: Prompts, options: GenerateOptions = {}): AsyncGenerator<GeneratedToken, void, undefined> {
    return streamTokens(this, prompts, options);
  }

  /**
   * Saves the model directory in Hugging Face's layout (config.json, tokenizer files, model.safetensors,
   * generation_config.json), atomically. Head tensors are saved with the weights.
   */
  async save(directory: string, extraFiles?: Readonly<Record<string, string | Uint8Array>>): Promise<void> {
    if (!this.tokenizer) throw new Error('CausalLM.save: the model has no tokenizer to save');
    const architectureNames = new Set(this.definition.architecture.tensors(this.config).map((spec) => spec.name));
    const weights = new Map([...this.weightMap].filter(([name]) => architectureNames.has(name)));
    const heads = [...this.weightMap].filter(([name]) => !architectureNames.has(name));
    await saveModelDirectory(directory, {
      config: this.config,
      tokenizer: this.tokenizer,
      weights,
      generationConfig: this.generationConfig,
      extraFiles: {
        ...extraFiles,
        ...(heads.length > 0 ? { [HEADS_FILE]: serializeHeads(heads) } : {}),
      },
    });
  }

  /** Releases every ONNX Runtime session the model opened. */
  async dispose(): Promise<void> {
    const decoders = [...this.decoders.values()];
    const scorers = [...this.scorers.values()];
    this.decoders.clear();
    this.scorers.clear();
    await Promise.all([
      ...decoders.map(async (decoder) => (await decoder.catch(() => undefined))?.dispose()),
      ...scorers.map(async (scorer) => (await scorer.catch(() => undefined))?.dispose()),
    ]);
  }
}

/** Value and reward heads are not part of the architecture's checked tensors, so they sit in their own file. */
export const HEADS_FILE = 'heads.safetensors';

function serializeHeads(heads: [string, WeightTensor][]): Uint8Array {
  return serializeSafetensors(new Map(heads), { format: 'pt' });
}

/**
 * Reads the value / reward heads saved beside a model, checking names and shapes against the model width.
 * @throws ModelFormatError naming the file and the problem
 */
export async function readHeads(directory: string, width: number): Promise<Map<string, WeightTensor>> {
  const path = join(directory, HEADS_FILE);
  const exists = await stat(path).then(
    () => true,
    () => false,
  );
  if (!exists) return new Map();
  let tensors: Map<string, WeightTensor & { dtype: string }>;
  try {
    tensors = (await readSafetensors(path)).tensors;
  } catch (error) {
    throw new ModelFormatError(path, (error as Error).message.replace(`${path}: `, ''));
  }
  const expected: Record<string, number[]> = {
    [HEAD_TENSORS.valueWeight]: [1, width],
    [HEAD_TENSORS.valueBias]: [1],
    [HEAD_TENSORS.scoreWeight]: [1, width],
  };
  for (const [name, tensor] of tensors) {
    const shape = expected[name];
    if (shape === undefined) {
      throw new ModelFormatError(path, `unexpected tensor ${name}; expected ${Object.keys(expected).join(', ')}`);
    }
    if (tensor.shape.join(',') !== shape.join(',')) {
      throw new ModelFormatError(
        path,
        `tensor ${name} has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`,
      );
    }
  }
  return tensors;
}

/**
 * Loads a model from a local directory or a hub repository (`owner/name`), through the Hugging Face cache;
 * F16/BF16 weights are converted to float32.
 */
export async function loadModel(source: string, options: ResolveModelOptions = {}): Promise<CausalLM> {
  const directory = await loadModelDirectory(source, options);
  const heads = await readHeads(directory.directory, directory.architecture.dimensions(directory.config).hiddenSize);
  return CausalLM.fromDirectory({
    ...directory,
    weights: new Map<string, WeightTensor>([...directory.weights, ...heads]),
  });
}

/**
 * A model with random weights (the architecture's initialisation, seeded per tensor name) for a config.
 * @throws ModelFormatError before allocating anything when the weights could not fit in memory
 */
export function createModel(config: Record<string, unknown>, options: CreateModelOptions = {}): CausalLM {
  const { config: parsed } = parseModelConfig(config);
  const definition = getCausalLanguageModel(parsed.model_type);
  checkParameterMemory('config.json', definition.architecture, parsed);
  const seed = options.seed ?? 0;
  const weights = new Map<string, WeightTensor>();
  for (const spec of definition.architecture.tensors(parsed)) {
    if (spec.optional) continue;
    const random = new SeededRandom(deriveSeed(seed, spec.name));
    weights.set(spec.name, {
      shape: spec.shape,
      data: definition.initialValues(parsed, spec.name, spec.shape, random),
    });
  }
  const width = definition.architecture.dimensions(parsed).hiddenSize;
  if (options.valueHead) {
    weights.set(HEAD_TENSORS.valueWeight, { shape: [1, width], data: new Float32Array(width) });
    weights.set(HEAD_TENSORS.valueBias, { shape: [1], data: new Float32Array(1) });
  }
  if (options.scoreHead) weights.set(HEAD_TENSORS.scoreWeight, { shape: [1, width], data: new Float32Array(width) });
  return new CausalLM({
    config: parsed,
    weights,
    tokenizer: options.tokenizer,
    generationConfig: options.generationConfig,
  });
}
