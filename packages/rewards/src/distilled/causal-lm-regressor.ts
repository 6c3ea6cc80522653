import { createRng } from '@diffchat/core';
import type { CausalLM, TokenizerFiles } from '@diffchat/lm';
import { buildWordTokenizer } from '../defaults/word-tokenizer';
import { loadAutodiff, loadLanguageModels } from '../model-runtime';
import { fillTrainingBatch } from './training-batch';

/** Sizes of the causal LM behind a distilled reward (GPT-2 layout). */
export interface CausalLmSizes {
  /** Transformer blocks. Default 2. */
  layers?: number;
  /** Hidden width. Default 64. */
  width?: number;
  /** Attention heads (divide `width`). Default 4. */
  heads?: number;
}

/** What training a scalar head needs: texts, and either standardised targets per text or preference pairs. */
export interface ScalarHeadTraining {
  texts: readonly string[];
  /** Regression: one standardised target per text. */
  targets?: readonly number[];
  /** Bradley-Terry: indices into `texts` of (chosen, rejected). */
  pairs?: readonly (readonly [number, number])[];
  steps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  sizes: CausalLmSizes;
}

/** Longest sequence the model reads; longer prompts keep their first tokens and the end token. */
export const maximumTokens = 96;

/** Token ids of `text` with its start and end tokens, cut to {@link maximumTokens} with the end token kept. */
export function encodeForScore(model: CausalLM, text: string): number[] {
  const ids = model.tokenizer!.encode(text);
  return ids.length <= maximumTokens ? ids : [...ids.slice(0, maximumTokens - 1), ids.at(-1)!];
}

/**
 * A GPT-2 with a reward head (`score.weight`, read at each row's last real token, the end token) trained from
 * scratch on the prompts: MSE against `targets`, or Bradley-Terry on `pairs` (softmax over each pair's two scores).
 * The tokenizer is a whole-word WordPiece vocabulary of the training texts.
 */
export async function trainScalarHead(training: ScalarHeadTraining): Promise<CausalLM> {
  const autodiff = await loadAutodiff('training a distilled text reward');
  const lm = await loadLanguageModels('training a distilled text reward');
  const { texts, steps, batchSize, learningRate, seed } = training;
  const { layers = 2, width = 64, heads = 4 } = training.sizes;
  const tokenizerFiles: TokenizerFiles = buildWordTokenizer(texts);
  const tokenizer = lm.createTokenizer(tokenizerFiles);
  const config = {
    model_type: 'gpt2',
    vocab_size: tokenizer.vocabSize,
    n_positions: maximumTokens,
    n_embd: width,
    n_layer: layers,
    n_head: heads,
    bos_token_id: tokenizer.specialTokenIds.bos ?? 0,
    eos_token_id: tokenizer.specialTokenIds.eos ?? 0,
  };
  const model = lm.createModel(config, { seed, tokenizer: tokenizerFiles, scoreHead: true });
  const encoded = texts.map((text) => encodeForScore(model, text));
  const length = Math.max(...encoded.map((ids) => ids.length));

  const regression = training.targets !== undefined;
  const examples = regression ? texts.length : training.pairs!.length;
  const perStep = Math.min(batchSize, examples);
  const rows = regression ? perStep : 2 * perStep;
  const scoring = model.scoringGraph({ placement: 'parameters', scoreHead: true });
  const rewards = scoring.rewards!; // [rows]
  let loss: typeof rewards;
  if (regression) {
    const targets = scoring.graph.input('targets', 'float32', [rows]);
    const error = autodiff.sub(rewards, targets);
    loss = autodiff.reduceMean(autodiff.mul(error, error));
  } else {
    // Rows alternate chosen, rejected: [pairs, 2] logits, the chosen one is class 0.
    const logits = autodiff.reshape(rewards, [rows / 2, 2]);
    loss = autodiff.softmaxCrossEntropy(logits, scoring.graph.input('labels', 'int64', [rows / 2]));
  }
  const store = new autodiff.ParameterStore({ seed });
  for (const name of scoring.parameters) {
    const tensor = model.weights.get(name)!;
    store.add(name, tensor.shape, tensor.data.slice());
  }
  const step = await autodiff.compileTrainingStep(loss, store);
  const optimizer = new autodiff.AdamW({ weightDecay: 1e-4 });
  const schedule = autodiff.cosineSchedule({ learningRate, totalSteps: steps, warmupSteps: Math.ceil(steps * 0.05) });
  const rng = createRng(`${seed}:distilled`);
  const feeds: Record<string, BigInt64Array | Float32Array> = {
    input_ids: new BigInt64Array(rows * length),
    attention_mask: new BigInt64Array(rows * length),
    position_ids: BigInt64Array.from({ length: rows * length }, (_, index) => BigInt(index % length)),
    ...(regression ? { targets: new Float32Array(rows) } : { labels: new BigInt64Array(rows / 2) }),
  };
  const copyText = (text: number, row: number) => {
    const ids = encoded[text]!;
    for (let column = 0; column < length; column++) {
      feeds.input_ids![row * length + column] = BigInt(ids[column] ?? 0);
      feeds.attention_mask![row * length + column] = column < ids.length ? 1n : 0n;
    }
  };
  for (let iteration = 0; iteration < steps; iteration++) {
    fillTrainingBatch(training, () => rng.next(), perStep, copyText, feeds.targets);
    const shaped = Object.fromEntries(
      Object.entries(feeds).map(([name, values]) => [
        name,
        { data: values, shape: values.length === rows * length ? [rows, length] : [values.length] },
      ]),
    );
    const result = await step.run(shaped);
    if (!Number.isFinite(result.loss)) throw new Error(`training diverged at step ${iteration}: loss ${result.loss}`);
    optimizer.step(store, result.gradients, schedule(iteration));
  }
  const weights = new Map(model.weights);
  for (const name of scoring.parameters) {
    weights.set(name, { shape: [...weights.get(name)!.shape], data: store.get(name).data.slice() });
  }
  await model.setWeights(weights);
  return model;
}
