import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParameterStore, SymbolicTensor } from '@diffchat/autodiff';
import { createRng } from '@diffchat/core';
import type { WorldSetting } from '@diffchat/world';
import { tokenizeForClip } from '../clip/clip-tokenization';
import { clipImagePreprocessing } from '../clip/image-preprocessing';
import { type Autodiff, loadAutodiff, loadLanguageModels, loadWorld } from '../model-runtime';
import { distinctCaptions, type RenderedExample, renderExamples } from './default-dataset';
import {
  addDualEncoderParameters,
  type DualEncoderConfig,
  defaultDualEncoderConfig,
  initializerSource,
  normalizeRows,
  parameterSource,
  textTower,
  visionEmbedding,
  visionFeatures,
  visionTower,
  wordLogits,
} from './dual-encoder';
import { buildWordTokenizer } from './word-tokenizer';

/** Options of {@link trainDefaultRewards}. */
export interface TrainDefaultRewardsOptions {
  /** Folder to write the model into (created). */
  outDir: string;
  /** Seed of captions, renders, initial weights and batches. Default 0. */
  seed?: number;
  /** Training captions, each rendered twice (plain, and beautified for a preference pair). Default 16000. */
  pairs?: number;
  /** Optimiser steps. Default 4000. */
  steps?: number;
  /** Captions per step. Default 64. */
  batchSize?: number;
  /** AdamW learning rate (cosine decay after 5% warm-up). Default 3e-3. */
  learningRate?: number;
  /** Side of the rendered sketches, which is also the model's input side (a multiple of 8). Default 64. */
  renderSize?: number;
  /**
   * Folder keeping the renders between runs (a retrain with the same captions, seed and renderer reads them back);
   * `false` renders afresh. Default `.cache/default-rewards-renders` under the working directory.
   */
  renderCache?: string | false;
  /**
   * Captions of a batch come from this many settings (`in a forest`, `underwater`, none...), so the contrastive
   * loss can only be lowered by telling apart the objects, colours and counts of captions that share a
   * background. `0` draws batches uniformly. Default 4.
   */
  settingsPerBatch?: number;
  /**
   * Whether the contrastive loss sets every caption against the plain and the beautified renders of the whole batch
   * (its own other render left out, since it shows the same content), instead of within each kind only. Styled
   * renders then have to be told apart from plain captions they do not show, which keeps them from becoming
   * hubs that many captions rank first. Default true.
   */
  mixRenders?: boolean;
  /** Weight of the loss that reads the caption's words from the image features. Default 0.3. */
  wordLossWeight?: number;
  /** Overrides of {@link defaultDualEncoderConfig}'s sizes and stem (the input side follows `renderSize`). */
  architecture?: Partial<Omit<DualEncoderConfig, 'vocabularySize' | 'imageSize' | 'patchSize'>>;
  /** Called every 50 steps and at the end. */
  onProgress?: (progress: { step: number; steps: number; loss: number; contrastive: number }) => void;
}

/** What {@link trainDefaultRewards} reports. */
export interface TrainDefaultRewardsResult {
  directory: string;
  /** Loss of the last step, and its contrastive part. */
  loss: number;
  contrastive: number;
  /** Mean and standard deviation of the pixel aesthetic score over the training images (the head's scale). */
  aestheticMean: number;
  aestheticStd: number;
  seconds: { render: number; train: number };
}

/** Files of the default model folder besides the CLIP layout's. */
export const defaultRewardFiles = Object.freeze({ aesthetic: 'aesthetic.safetensors', weights: 'model.safetensors' });

interface TrainingGraph {
  loss: SymbolicTensor;
  contrastive: SymbolicTensor;
}

/**
 * One graph computing the three losses on a batch, with every weight a parameter. Rows are captions; each has a
 * plain render and a beautified caption with its render.
 */
function trainingGraph(
  autodiff: Autodiff,
  config: DualEncoderConfig,
  batch: number,
  sequenceLength: number,
  wordLossWeight: number,
  mixRenders: boolean,
): TrainingGraph {
  const {
    Graph,
    add,
    clip,
    concat,
    exp,
    log,
    matmul,
    mul,
    neg,
    reduceMean,
    relu,
    reduceSum,
    reshape,
    softmaxCrossEntropy,
    split,
    sub,
    transpose,
    unsqueeze,
    linear,
  } = autodiff;
  const graph = new Graph('default_rewards_training');
  const weight = parameterSource(graph);
  const { imageSize } = config;
  // Rows 0..batch-1 are the plain captions, rows batch..2*batch-1 their beautified versions.
  const ids = graph.input('input_ids', 'int64', [2 * batch, sequenceLength]);
  const mask = graph.input('attention_mask', 'int64', [2 * batch, sequenceLength]);
  const pixels = graph.input('pixel_values', 'float32', [batch, 3, imageSize, imageSize]);
  const alternatives = graph.input('alternative_pixel_values', 'float32', [batch, 3, imageSize, imageSize]);
  const diagonal = graph.input('labels', 'int64', [batch]);
  const preferred = graph.input('preferred', 'int64', [batch]);
  const aestheticTargets = graph.input('aesthetic_targets', 'float32', [2 * batch]);
  // 1 where word w occurs in the caption of image b (plain rows, then beautified rows).
  const words = graph.input('caption_words', 'float32', [2 * batch, config.vocabularySize]);

  const bothTexts = normalizeRows(autodiff, textTower(autodiff, ids, mask, weight, config)); // [2 * batch, embedding]
  const [text, fancyText] = split(bothTexts, [batch, batch], 0);
  const features = visionFeatures(autodiff, concat([pixels, alternatives], 0), weight, config); // [2 * batch, hidden]
  const projected = normalizeRows(autodiff, visionEmbedding(autodiff, features, weight, config));
  const [images, others] = split(projected, [batch, batch], 0) as [SymbolicTensor, SymbolicTensor];
  // CLIP clamps exp(logit_scale) at 100.
  const scale = exp(clip(weight('logit_scale', [1]), 0, Math.log(100)));

  // 1. InfoNCE both ways: caption i belongs to image i. Without mixRenders, within the plain pairs and within the
  // beautified pairs; with it, every caption against every render.
  const infoNce = (captions: SymbolicTensor, renders: SymbolicTensor) => {
    const logits = mul(matmul(captions, transpose(renders, [1, 0])), scale); // [batch, batch]
    return add(softmaxCrossEntropy(logits, diagonal), softmaxCrossEntropy(transpose(logits, [1, 0]), diagonal));
  };
  let contrastive: SymbolicTensor;
  if (mixRenders) {
    // All 2 * batch captions against all 2 * batch renders; row r's partner render (r +- batch) shows the same
    // content, so it is neither the target nor a negative: -1e4 removes it from both softmaxes.
    const rows = 2 * batch;
    const partner = Array.from({ length: rows * rows }, (_, at) =>
      Math.abs(Math.floor(at / rows) - (at % rows)) === batch ? -1e4 : 0,
    );
    const logits = add(
      mul(matmul(bothTexts, transpose(projected, [1, 0])), scale),
      graph.constant(partner, 'float32', [rows, rows]),
    );
    const labels = graph.constant(
      Array.from({ length: rows }, (_, row) => row),
      'int64',
      [rows],
    );
    contrastive = mul(
      add(softmaxCrossEntropy(logits, labels), softmaxCrossEntropy(transpose(logits, [1, 0]), labels)),
      0.5,
    );
  } else contrastive = mul(add(infoNce(text!, images), infoNce(fancyText!, others)), 0.25);

  // 2. Aesthetic head on the normalised image embeddings, regressing the standardised pixel measure.
  const both = concat([images, others], 0);
  const predicted = reshape(
    linear(both, weight('aesthetic.weight', [config.embeddingSize, 1]), weight('aesthetic.bias', [1])),
    [2 * batch],
  );
  const error = sub(predicted, aestheticTargets);
  const aestheticLoss = reduceMean(mul(error, error));

  // 3. Bradley-Terry over each caption's two renders, with PickScore's utility exp(logit_scale) * cos.
  const plain = unsqueeze(mul(reduceSum(mul(text!, images), [1]), scale), [1]);
  const beautified = unsqueeze(mul(reduceSum(mul(text!, others), [1]), scale), [1]);
  const preference = softmaxCrossEntropy(concat([plain, beautified], 1), preferred);

  // 4. Which words the caption has, read from the image: sigmoid cross-entropy, written stably as
  // max(z, 0) - z y + log(1 + exp(-|z|)).
  const logits = wordLogits(autodiff, features, weight, config);
  const absolute = add(relu(logits), relu(neg(logits)));
  const wordLoss = mul(
    reduceMean(add(sub(relu(logits), mul(logits, words)), log(add(exp(neg(absolute)), 1)))),
    (wordLossWeight * config.vocabularySize) / 10,
  );

  const loss = add(add(add(contrastive, aestheticLoss), mul(preference, 0.5)), wordLoss);
  return { loss, contrastive };
}

/**
 * Draws the caption indices of one batch: uniformly without replacement, or (with `settingsPerBatch` > 0) from
 * that many settings picked by the share of captions they hold, the batch split evenly between them (a setting
 * with too few captions is topped up from the whole set). `scenes` are the prompt world's settings
 * (`WORLD_SCENES`).
 */
export function batchSampler(
  captions: readonly string[],
  settingsPerBatch: number,
  scenes: readonly WorldSetting[],
): (rng: { next(): number }, batch: number) => Set<number> {
  const uniform = (rng: { next(): number }, batch: number, chosen = new Set<number>()) => {
    while (chosen.size < batch) chosen.add(Math.floor(rng.next() * captions.length));
    return chosen;
  };
  if (settingsPerBatch <= 0) return (rng, batch) => uniform(rng, batch);
  const groups = new Map<string, number[]>();
  captions.forEach((caption, index) => {
    const setting = captionSetting(caption, scenes);
    const members = groups.get(setting);
    if (members === undefined) groups.set(setting, [index]);
    else members.push(index);
  });
  return (rng, batch) => {
    const chosen = new Set<number>();
    const settings = new Set<string>();
    // A setting's chance follows its caption count: draw a caption, take its setting.
    for (let tries = 0; settings.size < Math.min(settingsPerBatch, groups.size) && tries < 1000; tries++) {
      settings.add(captionSetting(captions[Math.floor(rng.next() * captions.length)]!, scenes));
    }
    const share = Math.ceil(batch / settings.size);
    for (const setting of settings) {
      const members = groups.get(setting)!;
      const take = Math.min(share, members.length, batch - chosen.size);
      for (let taken = 0; taken < take; ) {
        const index = members[Math.floor(rng.next() * members.length)]!;
        if (!chosen.has(index)) {
          chosen.add(index);
          taken++;
        }
      }
    }
    return uniform(rng, batch, chosen);
  };
}

/** The background among `scenes` a prompt-world caption names (`forest` for `a boat in a forest at dusk`), or `''`. */
export function captionSetting(caption: string, scenes: readonly WorldSetting[]): string {
  for (const setting of scenes) {
    if (caption.includes(` ${setting.phrase}`) || caption.endsWith(setting.nounPhrase)) return setting.name;
  }
  return '';
}

function standardise(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) || 1 };
}

/** Writes the trained towers as `onnx/text_model.onnx` and `onnx/vision_model.onnx` with CLIP's I/O names. */
async function exportTowers(autodiff: Autodiff, store: ParameterStore, config: DualEncoderConfig, directory: string) {
  const { Graph, saveOnnxModel } = autodiff;
  const text = new Graph('text_model');
  const ids = text.input('input_ids', 'int64', ['batch', 'sequence']);
  const mask = text.input('attention_mask', 'int64', ['batch', 'sequence']);
  text.output('text_embeds', textTower(autodiff, ids, mask, initializerSource(text, store), config));
  await saveOnnxModel(text, join(directory, 'onnx', 'text_model.onnx'), { producerName: 'diffchat-rewards' });
  const vision = new Graph('vision_model');
  const pixels = vision.input('pixel_values', 'float32', ['batch', 3, config.imageSize, config.imageSize]);
  vision.output('image_embeds', visionTower(autodiff, pixels, initializerSource(vision, store), config));
  await saveOnnxModel(vision, join(directory, 'onnx', 'vision_model.onnx'), { producerName: 'diffchat-rewards' });
}

/**
 * Trains the embedded default reward models and writes them in the layout of the real ones, so loaders cannot
 * tell them apart: a small CLIP-style dual encoder (word embeddings -> word-window layers -> mean/max pooling ->
 * MLP; a 64x64 image as an 8x8 grid of patches -> transformer block(s) -> mean/max pooling -> MLP) trained with InfoNCE
 * and a learnable temperature, every caption of a batch against its plain and beautified renders, on (caption, image) pairs rendered by the sketch renderer from prompt-world captions, plus
 * a loss that reads the caption's words from the image features; an aesthetic head (linear, as the LAION
 * predictor is at inference) on its normalised image embeddings, regressing {@link pixelAesthetics}; and a
 * Bradley-Terry preference term over each caption's plain and beautified renders (the preferred one has the higher
 * pixel aesthetic score), which trains the same `exp(logit_scale) * cos` that PickScore reads.
 *
 * Folder: `onnx/text_model.onnx`, `onnx/vision_model.onnx`, `tokenizer.json`, `tokenizer_config.json`,
 * `preprocessor_config.json`, `config.json`, `model.safetensors` (all weights), `aesthetic.safetensors`
 * (`layers.{0,2,4,6,7}` keys).
 */
export async function trainDefaultRewards(options: TrainDefaultRewardsOptions): Promise<TrainDefaultRewardsResult> {
  const {
    outDir,
    seed = 0,
    pairs = 16000,
    steps = 4000,
    batchSize = 64,
    learningRate = 3e-3,
    renderSize = 64,
    renderCache = join('.cache', 'default-rewards-renders'),
    settingsPerBatch = 4,
    wordLossWeight = 0.3,
    mixRenders = true,
  } = options;
  if (!Number.isInteger(renderSize) || renderSize < 16 || renderSize % 8 !== 0) {
    throw new RangeError(`renderSize must be a multiple of 8 from 16, got ${renderSize}`);
  }
  if (!Number.isInteger(pairs) || pairs < 2) throw new RangeError(`pairs must be an integer >= 2, got ${pairs}`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${steps}`);
  const autodiff = await loadAutodiff('training the default reward models');
  const lm = await loadLanguageModels('training the default reward models');
  const world = await loadWorld('training the default reward models');
  const batch = Math.min(batchSize, pairs);

  // 1. Data: distinct captions, each rendered plain and beautified.
  const renderStart = performance.now();
  const captions = await distinctCaptions(pairs, seed);
  const rng = createRng(`${seed}:beautify`);
  const beautified = captions.map((caption) => world.beautifyPrompt(caption, () => rng.next()));
  const config: DualEncoderConfig = {
    ...defaultDualEncoderConfig,
    ...options.architecture,
    vocabularySize: 0,
    imageSize: renderSize,
    patchSize: 8,
  };
  // Patches make an 8x8 grid at any size; the convolution stem always downsamples by 8.
  if (config.stem === 'patches') config.patchSize = renderSize / 8;
  const renderOptions = {
    seed,
    renderSize,
    imageSize: config.imageSize,
    ...(renderCache === false ? {} : { cacheDirectory: renderCache }),
  };
  const plain: RenderedExample[] = await renderExamples(captions, renderOptions);
  const fancy: RenderedExample[] = await renderExamples(beautified, renderOptions);
  const renderSeconds = (performance.now() - renderStart) / 1000;

  // 2. Tokenizer over the captions and the beautified prompts (so users' style words are known too).
  const tokenizerFiles = buildWordTokenizer([...captions, ...beautified]);
  const tokenizer = lm.createTokenizer(tokenizerFiles);
  config.vocabularySize = tokenizer.vocabSize;
  // Training pads only to the longest text (inference pads to 77; padding is masked, so both give one answer).
  const texts = [...captions, ...beautified];
  const sequenceLength = Math.min(77, Math.max(...texts.map((text) => tokenizer.encode(text).length)));
  const tokens = tokenizeForClip(tokenizer, texts, sequenceLength);
  const aesthetic = standardise([...plain, ...fancy].map((example) => example.aesthetic));

  // 3. Training.
  const trainStart = performance.now();
  const store = new autodiff.ParameterStore({ seed });
  addDualEncoderParameters(autodiff, store, config);
  const graph = trainingGraph(autodiff, config, batch, sequenceLength, wordLossWeight, mixRenders);
  const step = await autodiff.compileTrainingStep(graph.loss, store, { metrics: { contrastive: graph.contrastive } });
  const optimizer = new autodiff.AdamW({ weightDecay: 1e-4 });
  const schedule = autodiff.cosineSchedule({ learningRate, warmupSteps: Math.ceil(steps * 0.05), totalSteps: steps });
  const order = createRng(`${seed}:batches`);
  const drawBatch = batchSampler(captions, settingsPerBatch, world.WORLD_SCENES);
  const plane = 3 * config.imageSize ** 2;
  const feeds = {
    input_ids: new BigInt64Array(2 * batch * sequenceLength),
    attention_mask: new BigInt64Array(2 * batch * sequenceLength),
    pixel_values: new Float32Array(batch * plane),
    alternative_pixel_values: new Float32Array(batch * plane),
    labels: BigInt64Array.from({ length: batch }, (_, index) => BigInt(index)),
    preferred: new BigInt64Array(batch),
    aesthetic_targets: new Float32Array(2 * batch),
    caption_words: new Float32Array(2 * batch * config.vocabularySize),
  };
  const vocabulary = config.vocabularySize;
  let last = { loss: Number.NaN, contrastive: Number.NaN };
  for (let iteration = 0; iteration < steps; iteration++) {
    const chosen = drawBatch(order, batch);
    const copyText = (text: number, row: number) => {
      for (let column = 0; column < sequenceLength; column++) {
        feeds.input_ids[row * sequenceLength + column] = BigInt(tokens.inputIds[text * sequenceLength + column]!);
        feeds.attention_mask[row * sequenceLength + column] = BigInt(
          tokens.attentionMask[text * sequenceLength + column]!,
        );
      }
    };
    feeds.caption_words.fill(0);
    [...chosen].forEach((example, row) => {
      copyText(example, row);
      copyText(pairs + example, batch + row);
      for (const [text, at] of [
        [example, row],
        [pairs + example, batch + row],
      ] as const) {
        for (let column = 0; column < sequenceLength; column++) {
          if (tokens.attentionMask[text * sequenceLength + column]) {
            feeds.caption_words[at * vocabulary + tokens.inputIds[text * sequenceLength + column]!] = 1;
          }
        }
      }
      feeds.pixel_values.set(plain[example]!.pixelValues, row * plane);
      feeds.alternative_pixel_values.set(fancy[example]!.pixelValues, row * plane);
      feeds.preferred[row] = plain[example]!.aesthetic >= fancy[example]!.aesthetic ? 0n : 1n;
      feeds.aesthetic_targets[row] = (plain[example]!.aesthetic - aesthetic.mean) / aesthetic.std;
      feeds.aesthetic_targets[batch + row] = (fancy[example]!.aesthetic - aesthetic.mean) / aesthetic.std;
    });
    const result = await step.run(feeds);
    if (!Number.isFinite(result.loss)) throw new Error(`training diverged at step ${iteration}: loss ${result.loss}`);
    optimizer.step(store, result.gradients, schedule(iteration));
    last = { loss: result.loss, contrastive: Number(result.metrics.contrastive!.data[0]) };
    if ((iteration + 1) % 50 === 0 || iteration === steps - 1) {
      options.onProgress?.({ step: iteration + 1, steps, ...last });
    }
  }
  const trainSeconds = (performance.now() - trainStart) / 1000;

  // 4. Export in the real models' layout.
  await mkdir(join(outDir, 'onnx'), { recursive: true });
  await exportTowers(autodiff, store, config, outDir);
  await lm.saveTokenizerFiles(outDir, tokenizerFiles);
  const logitScale = Math.exp(Math.min(Math.max(store.get('logit_scale').data[0]!, 0), Math.log(100)));
  await writeFile(
    join(outDir, 'preprocessor_config.json'),
    `${JSON.stringify(
      {
        image_processor_type: 'CLIPImageProcessor',
        size: { shortest_edge: config.imageSize },
        crop_size: { height: config.imageSize, width: config.imageSize },
        do_resize: true,
        do_center_crop: true,
        resample: 3,
        image_mean: clipImagePreprocessing.mean,
        image_std: clipImagePreprocessing.std,
      },
      null,
      2,
    )}\n`,
  );
  await writeFile(
    join(outDir, 'config.json'),
    `${JSON.stringify(
      {
        model_type: 'diffchat-default-dual-encoder',
        description:
          'Embedded default reward models of @diffchat/rewards: a small CLIP-style dual encoder trained on sketch renderings of prompt-world captions; not a real CLIP.',
        logit_scale: logitScale,
        projection_dim: config.embeddingSize,
        ...config,
        training: {
          seed,
          pairs,
          steps,
          batchSize: batch,
          learningRate,
          renderSize,
          mixRenders,
          settingsPerBatch,
          wordLossWeight,
          loss: last.loss,
        },
        aesthetic: { measure: 'pixelAesthetics', mean: aesthetic.mean, std: aesthetic.std },
      },
      null,
      2,
    )}\n`,
  );
  await autodiff.writeSafetensors(join(outDir, defaultRewardFiles.weights), store);
  // The head predicts the standardised score; folding mean and std in gives the measure's own 1-10 scale, stored
  // as the LAION predictor's five Linear layers (the last four are the identity).
  const headWeight = store.get('aesthetic.weight').data.map((value) => value * aesthetic.std);
  const headBias = store.get('aesthetic.bias').data[0]! * aesthetic.std + aesthetic.mean;
  const identity = (index: number): [string, { shape: number[]; data: Float32Array }][] => [
    [`layers.${index}.weight`, { shape: [1, 1], data: Float32Array.of(1) }],
    [`layers.${index}.bias`, { shape: [1], data: Float32Array.of(0) }],
  ];
  await autodiff.writeSafetensors(
    join(outDir, defaultRewardFiles.aesthetic),
    new Map<string, { shape: number[]; data: Float32Array }>([
      ['layers.0.weight', { shape: [1, config.embeddingSize], data: headWeight }],
      ['layers.0.bias', { shape: [1], data: Float32Array.of(headBias) }],
      ...identity(2),
      ...identity(4),
      ...identity(6),
      ...identity(7),
    ]),
  );
  return {
    directory: outDir,
    ...last,
    aestheticMean: aesthetic.mean,
    aestheticStd: aesthetic.std,
    seconds: { render: renderSeconds, train: trainSeconds },
  };
}
