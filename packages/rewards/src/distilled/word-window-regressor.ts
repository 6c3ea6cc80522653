import { createRng } from '@diffchat/core';
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
import { loadAutodiff, loadLanguageModels } from '../model-runtime';
import type { ScalarHeadTraining } from './causal-lm-regressor';
import { fillTrainingBatch } from './training-batch';

/** What training the word-window regressor needs: the causal LM's inputs without its model sizes. */
export type WordWindowTraining = Omit<ScalarHeadTraining, 'sizes'>;

/**
 * The default dual encoder's text tower (word embeddings -> word-window layers -> mean and max pooling -> MLP)
 * ending in one number, trained with MSE on `targets` or Bradley-Terry on `pairs`; returns its scorer (standardised
 * scale). In memory only.
 */
export async function trainWordWindowRegressor(
  training: WordWindowTraining,
): Promise<(prompts: readonly string[]) => Promise<number[]>> {
  const autodiff = await loadAutodiff('training a distilled text reward');
  const lm = await loadLanguageModels('training a distilled text reward');
  const { texts, steps, batchSize, learningRate, seed } = training;
  const tokenizer = lm.createTokenizer(buildWordTokenizer(texts));
  const config: DualEncoderConfig = {
    ...defaultDualEncoderConfig,
    vocabularySize: tokenizer.vocabSize,
    embeddingSize: 1,
  };
  const sequenceLength = Math.min(77, Math.max(...texts.map((text) => tokenizer.encode(text).length)));
  const tokens = tokenizeForClip(tokenizer, texts, sequenceLength);
  const regression = training.targets !== undefined;
  const examples = regression ? texts.length : training.pairs!.length;
  const perStep = Math.min(batchSize, examples);
  const rows = regression ? perStep : 2 * perStep;
  const graph = new autodiff.Graph('distilled_text_reward_training');
  const ids = graph.input('input_ids', 'int64', [rows, sequenceLength]);
  const mask = graph.input('attention_mask', 'int64', [rows, sequenceLength]);
  const predicted = autodiff.reshape(textTower(autodiff, ids, mask, parameterSource(graph), config), [rows]);
  let loss: typeof predicted;
  if (regression) {
    const error = autodiff.sub(predicted, graph.input('targets', 'float32', [rows]));
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
    fillTrainingBatch(training, () => rng.next(), perStep, copyText, feeds.targets);
    const result = await step.run(feeds);
    optimizer.step(store, result.gradients, schedule(iteration));
  }
  const inference = new autodiff.Graph('distilled_text_reward');
  const inferenceIds = inference.input('input_ids', 'int64', ['batch', 'sequence']);
  const inferenceMask = inference.input('attention_mask', 'int64', ['batch', 'sequence']);
  const output = textTower(autodiff, inferenceIds, inferenceMask, initializerSource(inference, store), config);
  inference.output('score', autodiff.reshape(output, [-1]));
  const compiled = await autodiff.compileGraph(inference);
  return async (prompts) => {
    const batch = tokenizeForClip(tokenizer, prompts, 77);
    const outputs = await compiled.run({
      input_ids: { data: BigInt64Array.from(batch.inputIds, BigInt), shape: [prompts.length, 77] },
      attention_mask: { data: BigInt64Array.from(batch.attentionMask, BigInt), shape: [prompts.length, 77] },
    });
    return Array.from(outputs.score!.data as Float32Array);
  };
}
