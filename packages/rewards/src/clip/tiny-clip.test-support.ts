import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  add,
  cast,
  div,
  Graph,
  gather,
  matmul,
  mul,
  reduceSum,
  reshape,
  type SymbolicTensor,
  saveOnnxModel,
  serializeSafetensors,
  sqrt,
  transpose,
  unsqueeze,
} from '@diffchat/autodiff';
import { createRng } from '@diffchat/core';

/** Width of the tiny embeddings. */
export const tinyWidth = 4;
/** Side of the tiny models' square input images. */
export const tinyImageSize = 2;

const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');

/** A CLIP-style tokenizer (BPE, `</w>` word ends, start/end tokens) over single letters, so ids are easy by hand. */
export function tinyVocabulary(): Record<string, number> {
  const vocabulary: Record<string, number> = { '<|startoftext|>': 0, '<|endoftext|>': 1 };
  for (const letter of letters) {
    vocabulary[letter] = Object.keys(vocabulary).length;
    vocabulary[`${letter}</w>`] = Object.keys(vocabulary).length;
  }
  return vocabulary;
}

function tokenizerJson(): Record<string, unknown> {
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<|startoftext|>'), special(1, '<|endoftext|>')],
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'Whitespace' },
    post_processor: {
      type: 'RobertaProcessing',
      sep: ['<|endoftext|>', 1],
      cls: ['<|startoftext|>', 0],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: null,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<|endoftext|>',
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab: tinyVocabulary(),
      merges: [],
    },
  };
}

/** Random weights of the tiny towers, kept so tests can compute the embeddings by hand. */
export interface TinyClipWeights {
  /** [vocabulary, width] row-major. */
  tokenEmbedding: Float32Array;
  /** [3 * size * size, width] row-major. */
  imageProjection: Float32Array;
  logitScale: number;
}

/** Draws the tiny towers' weights from a seed. */
export function tinyClipWeights(seed: number): TinyClipWeights {
  const rng = createRng(seed);
  const draw = (count: number) => Float32Array.from({ length: count }, () => rng.next() * 2 - 1);
  const vocabularySize = Object.keys(tinyVocabulary()).length;
  return {
    tokenEmbedding: draw(vocabularySize * tinyWidth),
    imageProjection: draw(3 * tinyImageSize * tinyImageSize * tinyWidth),
    logitScale: 42,
  };
}

/** text_embeds = sum of the token embeddings under the attention mask: [batch, width]. */
function textTower(graph: Graph, weights: TinyClipWeights, idType: 'int32' | 'int64'): SymbolicTensor {
  const ids = graph.input('input_ids', idType, ['batch', 'sequence']);
  const mask = graph.input('attention_mask', idType, ['batch', 'sequence']);
  const vocabularySize = weights.tokenEmbedding.length / tinyWidth;
  const table = graph.initializer('token_embedding', weights.tokenEmbedding, [vocabularySize, tinyWidth]);
  const tokens = gather(table, ids);
  return reduceSum(mul(tokens, unsqueeze(cast(mask, 'float32'), [2])), [1]);
}

/** image_embeds = flattened pixel_values times a projection: [batch, width]. */
function visionTower(graph: Graph, weights: TinyClipWeights): SymbolicTensor {
  const pixels = graph.input('pixel_values', 'float32', ['images', 3, tinyImageSize, tinyImageSize]);
  const flat = reshape(pixels, [-1, 3 * tinyImageSize * tinyImageSize]);
  const projection = graph.initializer('visual_projection', weights.imageProjection, [
    3 * tinyImageSize * tinyImageSize,
    tinyWidth,
  ]);
  return matmul(flat, projection);
}

function normalizeRows(x: SymbolicTensor): SymbolicTensor {
  return div(x, sqrt(reduceSum(mul(x, x), [1], true)));
}

/** Options of {@link writeTinyClip}. */
export interface TinyClipOptions {
  layout?: 'split' | 'joint';
  idType?: 'int32' | 'int64';
}

/**
 * Writes a CLIP folder in the Hugging Face ONNX layout with tiny towers of the real I/O names: tokenizer.json,
 * preprocessor_config.json (2x2 crops), config.json, a placeholder model.safetensors (the hub loader wants weights),
 * and `onnx/text_model.onnx` + `onnx/vision_model.onnx` or `onnx/model.onnx`.
 */
export async function writeTinyClip(
  directory: string,
  weights: TinyClipWeights,
  options: TinyClipOptions = {},
): Promise<void> {
  const { layout = 'split', idType = 'int64' } = options;
  await mkdir(join(directory, 'onnx'), { recursive: true });
  await writeFile(join(directory, 'tokenizer.json'), JSON.stringify(tokenizerJson()));
  await writeFile(
    join(directory, 'tokenizer_config.json'),
    JSON.stringify({ bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>' }),
  );
  await writeFile(
    join(directory, 'preprocessor_config.json'),
    JSON.stringify({
      size: { shortest_edge: tinyImageSize },
      crop_size: { height: tinyImageSize, width: tinyImageSize },
    }),
  );
  await writeFile(
    join(directory, 'config.json'),
    JSON.stringify({ model_type: 'clip', ...(layout === 'split' ? { logit_scale: weights.logitScale } : {}) }),
  );
  await writeFile(
    join(directory, 'model.safetensors'),
    serializeSafetensors(
      new Map([['visual_projection', { shape: [weights.imageProjection.length], data: weights.imageProjection }]]),
    ),
  );
  if (layout === 'split') {
    const text = new Graph('text_model');
    text.output('text_embeds', textTower(text, weights, idType));
    await saveOnnxModel(text, join(directory, 'onnx', 'text_model.onnx'));
    const vision = new Graph('vision_model');
    vision.output('image_embeds', visionTower(vision, weights));
    await saveOnnxModel(vision, join(directory, 'onnx', 'vision_model.onnx'));
    return;
  }
  const joint = new Graph('model');
  const textEmbeds = normalizeRows(textTower(joint, weights, idType));
  const imageEmbeds = normalizeRows(visionTower(joint, weights));
  const logitsPerText = mul(matmul(textEmbeds, transpose(imageEmbeds, [1, 0])), joint.constant(weights.logitScale));
  joint.output('logits_per_image', transpose(logitsPerText, [1, 0]));
  joint.output('logits_per_text', add(logitsPerText, joint.constant(0)));
  joint.output('text_embeds', textEmbeds);
  joint.output('image_embeds', imageEmbeds);
  await saveOnnxModel(joint, join(directory, 'onnx', 'model.onnx'));
}

/** Hand reference of the text tower: the sum of the embedding rows of `ids`, L2-normalised. */
export function referenceTextEmbedding(weights: TinyClipWeights, ids: readonly number[]): Float32Array {
  const sum = new Float64Array(tinyWidth);
  for (const id of ids)
    for (let column = 0; column < tinyWidth; column++) sum[column]! += weights.tokenEmbedding[id * tinyWidth + column]!;
  return unit(sum);
}

/** Hand reference of the vision tower on already-preprocessed NCHW values of one image. */
export function referenceImageEmbedding(weights: TinyClipWeights, pixelValues: readonly number[]): Float32Array {
  const sum = new Float64Array(tinyWidth);
  pixelValues.forEach((value, row) => {
    for (let column = 0; column < tinyWidth; column++)
      sum[column]! += value * weights.imageProjection[row * tinyWidth + column]!;
  });
  return unit(sum);
}

function unit(values: Float64Array): Float32Array {
  const norm = Math.hypot(...values);
  return Float32Array.from(values, (value) => value / norm);
}
