import type { CompiledGraph } from '@diffchat/autodiff';
import { createRng } from '@diffchat/core';
import type { TextTokenizer } from '@diffchat/lm';
import { tokenizeForClip } from '../clip/clip-tokenization';
import {
  addDualEncoderParameters,
  type DualEncoderConfig,
  defaultDualEncoderConfig,
  initializerSource,
  parameterSource,
  textTower,
} from '../defaults/dual-encoder';
import { buildWordTokenizer } from '../defaults/word-tokenizer';
import { RewardError } from '../errors';
import { type Autodiff, loadAutodiff, loadLanguageModels } from '../model-runtime';
import { defineReward, type Reward } from '../reward';

/** A prompt and the score of the image it makes (e.g. the aesthetic reward of its rendering). */
export interface ScoredPrompt {
  prompt: string;
  score: number;
}

/** Two prompts of which `chosen` made the preferred image. */
export interface PreferencePair {
  chosen: string;
  rejected: string;
}

/** Options of {@link trainTextReward}: give `data` (MSE regression) or `pairs` (Bradley-Terry), not both. */
export interface TrainTextRewardOptions {
  data?: readonly ScoredPrompt[];
  pairs?: readonly PreferencePair[];
  /** Optimiser steps. Default 400. */
  steps?: number;
  /** Examples (or pairs) per step. Default 32. */
  batchSize?: number;
  /** AdamW learning rate (cosine decay). Default 3e-3. */
  learningRate?: number;
  /** Seed of initial weights and batches. Default 0. */
  seed?: number;
  /** The reward's name. Default `'distilled'`. */
  name?: string;
}

const sequenceLength = 77;

/** A trained text-only reward model: predicts an image reward from the prompt alone. */
export class TextReward {
  /** @internal */
  constructor(
    private readonly compiled: CompiledGraph,
    private readonly tokenizer: TextTokenizer,
    private readonly scale: { mean: number; std: number },
    readonly name: string,
  ) {}

  /** Predicted scores of prompts, on the scale of the training scores (regression) or as utilities (pairs). */
  async predict(prompts: readonly string[]): Promise<number[]> {
    if (prompts.length === 0) return [];
    const batch = tokenizeForClip(this.tokenizer, prompts, sequenceLength);
    const outputs = await this.compiled.run({
      input_ids: { data: BigInt64Array.from(batch.inputIds, BigInt), shape: [prompts.length, sequenceLength] },
      attention_mask: {
        data: BigInt64Array.from(batch.attentionMask, BigInt),
        shape: [prompts.length, sequenceLength],
      },
    });
    return Array.from(outputs.score!.data as Float32Array, (value) => value * this.scale.std + this.scale.mean);
  }

  /** This model as a {@link Reward} on each record's target prompt; needs no image. */
  reward(): Reward {
    return defineReward({
      name: this.name,
      score: async (records) =>
        (await this.predict(records.map((record) => record.target))).map((value) => ({ value, details: {} })),
    });
  }
}

function checkOptions(options: TrainTextRewardOptions): void {
  const { data, pairs } = options;
  if ((data === undefined) === (pairs === undefined)) throw new RewardError('data', 'give either data or pairs');
  data?.forEach((item, index) => {
    if (typeof item?.prompt !== 'string' || item.prompt.trim() === '') {
      throw new RewardError(`data[${index}].prompt`, 'expected a non-empty string');
    }
    if (typeof item.score !== 'number' || !Number.isFinite(item.score)) {
      throw new RewardError(`data[${index}].score`, `expected a finite number, got ${String(item.score)}`);
    }
  });
  pairs?.forEach((pair, index) => {
    for (const side of ['chosen', 'rejected'] as const) {
      if (typeof pair?.[side] !== 'string' || pair[side].trim() === '') {
        throw new RewardError(`pairs[${index}].${side}`, 'expected a non-empty string');
      }
    }
  });
  if ((data ?? pairs)!.length < 2) throw new RewardError(data ? 'data' : 'pairs', 'needs at least 2 examples');
}

/**
 * Distils an image reward into a text-only regressor, so PPO can score prompts without rendering
 * (BeautifulPrompt's approach): the default dual encoder's text tower (word embeddings -> mean -> MLP) ending in a
 * scalar, trained with MSE on standardised `data` scores or with Bradley-Terry on `pairs`.
 *
 * @throws {@link RewardError} naming the bad example.
 */
export async function trainTextReward(options: TrainTextRewardOptions): Promise<TextReward> {
  checkOptions(options);
  const { steps = 400, batchSize = 32, learningRate = 3e-3, seed = 0, name = 'distilled' } = options;
  const autodiff: Autodiff = await loadAutodiff('training a distilled text reward');
  const lm = await loadLanguageModels('training a distilled text reward');
  const regression = options.data !== undefined;
  const texts = regression
    ? options.data!.map((item) => item.prompt)
    : options.pairs!.flatMap((pair) => [pair.chosen, pair.rejected]);
  const tokenizer = lm.createTokenizer(buildWordTokenizer(texts));
  const config: DualEncoderConfig = {
    ...defaultDualEncoderConfig,
    vocabularySize: tokenizer.vocabSize,
    embeddingSize: 1,
  };
  const scores = regression ? options.data!.map((item) => item.score) : [];
  const mean = regression ? scores.reduce((sum, value) => sum + value, 0) / scores.length : 0;
  const std = regression
    ? Math.sqrt(scores.reduce((sum, value) => sum + (value - mean) ** 2, 0) / scores.length) || 1
    : 1;
  const tokens = tokenizeForClip(tokenizer, texts, sequenceLength);

  const examples = regression ? options.data!.length : options.pairs!.length;
  const rows = regression ? Math.min(batchSize, examples) : 2 * Math.min(batchSize, examples);
  const graph = new autodiff.Graph('distilled_text_reward_training');
  const ids = graph.input('input_ids', 'int64', [rows, sequenceLength]);
  const mask = graph.input('attention_mask', 'int64', [rows, sequenceLength]);
  const predicted = autodiff.reshape(textTower(autodiff, ids, mask, parameterSource(graph), config), [rows]);
  let loss: ReturnType<typeof autodiff.reduceMean>;
  if (regression) {
    const targets = graph.input('targets', 'float32', [rows]);
    const error = autodiff.sub(predicted, targets);
    loss = autodiff.reduceMean(autodiff.mul(error, error));
  } else {
    // Rows alternate chosen, rejected: [pairs, 2] logits, the chosen one is class 0.
    const logits = autodiff.reshape(predicted, [rows / 2, 2]);
    loss = autodiff.softmaxCrossEntropy(logits, graph.input('labels', 'int64', [rows / 2]));
  }
  const store = new autodiff.ParameterStore({ seed });
  // The store also holds the unused vision weights; only the graph's parameters get gradients and updates.
  addDualEncoderParameters(autodiff, store, config);
  const step = await autodiff.compileTrainingStep(loss, store);
  const optimizer = new autodiff.AdamW({ weightDecay: 1e-4 });
  const schedule = autodiff.cosineSchedule({ learningRate, totalSteps: steps, warmupSteps: Math.ceil(steps * 0.05) });
  const rng = createRng(`${seed}:distilled`);
  const feeds: Record<string, BigInt64Array | Float32Array> = {
    input_ids: new BigInt64Array(rows * sequenceLength),
    attention_mask: new BigInt64Array(rows * sequenceLength),
    ...(regression ? { targets: new Float32Array(rows) } : { labels: new BigInt64Array(rows / 2) }),
  };
  const copyText = (text: number, row: number) => {
    for (let column = 0; column < sequenceLength; column++) {
      feeds.input_ids![row * sequenceLength + column] = BigInt(tokens.inputIds[text * sequenceLength + column]!);
      feeds.attention_mask![row * sequenceLength + column] = BigInt(
        tokens.attentionMask[text * sequenceLength + column]!,
      );
    }
  };
  for (let iteration = 0; iteration < steps; iteration++) {
    const perStep = regression ? rows : rows / 2;
    for (let slot = 0; slot < perStep; slot++) {
      const example = Math.floor(rng.next() * examples);
      if (regression) {
        copyText(example, slot);
        feeds.targets![slot] = (scores[example]! - mean) / std;
      } else {
        copyText(2 * example, 2 * slot);
        copyText(2 * example + 1, 2 * slot + 1);
      }
    }
    const result = await step.run(feeds);
    optimizer.step(store, result.gradients, schedule(iteration));
  }

  const inference = new autodiff.Graph('distilled_text_reward');
  const inferenceIds = inference.input('input_ids', 'int64', ['batch', sequenceLength]);
  const inferenceMask = inference.input('attention_mask', 'int64', ['batch', sequenceLength]);
  const output = textTower(autodiff, inferenceIds, inferenceMask, initializerSource(inference, store), config);
  inference.output('score', autodiff.reshape(output, [-1]));
  return new TextReward(await autodiff.compileGraph(inference), tokenizer, { mean, std }, name);
}
