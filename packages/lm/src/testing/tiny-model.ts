import { getArchitecture, parseModelConfig } from '../architecture-registry';
import { trainBpeTokenizer } from '../bpe-trainer';
import { type ModelDirectoryToSave, saveModelDirectory, type WeightTensor } from '../model-directory';

/** Options of {@link createTinyModel}. */
export interface TinyModelOptions {
  /** Architecture. Default 'gpt2'. */
  modelType?: 'gpt2' | 'bloom';
  /** Seed of the random weights. Default 0. */
  seed?: number;
  /** Width of the residual stream. Default 16. */
  hiddenSize?: number;
  /** Number of blocks. Default 2. */
  layers?: number;
  /** Attention heads. Default 2. */
  heads?: number;
}

const TINY_CORPUS = [
  'a cat sitting on a mat, oil painting, highly detailed',
  'an astronaut riding a horse on the moon, digital art',
  'a castle on a hill at night, trending on artstation',
  'make it night; add a cat; in the style of van gogh',
];

/**
 * A complete, valid model with random weights for tests: a byte-level BPE tokenizer trained on a
 * few prompts, a small config and weights drawn from a seeded generator (values in [-0.1, 0.1)).
 */
export function createTinyModel(options: TinyModelOptions = {}): ModelDirectoryToSave {
  const { modelType = 'gpt2', seed = 0, hiddenSize = 16, layers = 2, heads = 2 } = options;
  const tokenizer = trainBpeTokenizer(TINY_CORPUS, { vocabSize: 300, minFrequency: 1, modelMaxLength: 64 });
  const vocabSize = Object.keys((tokenizer.tokenizerJson.model as { vocab: object }).vocab).length;
  const common = { vocab_size: vocabSize, bos_token_id: 0, eos_token_id: 0, pad_token_id: 1 };
  const configJson =
    modelType === 'gpt2'
      ? { model_type: 'gpt2', n_embd: hiddenSize, n_layer: layers, n_head: heads, n_positions: 64, ...common }
      : { model_type: 'bloom', hidden_size: hiddenSize, n_layer: layers, n_head: heads, ...common };
  const { config } = parseModelConfig(configJson);
  let state = (seed >>> 0) + 0x9e3779b9;
  // mulberry32: a small, well-mixed 32-bit generator, enough for test weights.
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
  const weights = new Map<string, WeightTensor>();
  for (const spec of getArchitecture(modelType).tensors(config)) {
    if (spec.optional) continue;
    const data = new Float32Array(spec.shape.reduce((product, size) => product * size, 1));
    for (let index = 0; index < data.length; index++) data[index] = (next() - 0.5) * 0.2;
    weights.set(spec.name, { shape: spec.shape, data });
  }
  return {
    config: configJson,
    tokenizer,
    weights,
    generationConfig: { max_new_tokens: 16, do_sample: false, eos_token_id: 0, pad_token_id: 1 },
  };
}

/** Writes {@link createTinyModel}'s model to a directory and returns what was written. */
export async function saveTinyModel(directory: string, options: TinyModelOptions = {}): Promise<ModelDirectoryToSave> {
  const model = createTinyModel(options);
  await saveModelDirectory(directory, model);
  return model;
}
