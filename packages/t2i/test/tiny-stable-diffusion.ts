import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  add,
  cast,
  concat,
  dimensionOf,
  Graph,
  gather,
  matmul,
  mul,
  reduceMean,
  reshape,
  saveOnnxModel,
  tanh,
  transpose,
  unsqueeze,
} from '@diffchat/autodiff';
import { latentNoise } from '../src/latent-noise';

/** Settings of a tiny random SD folder. */
export interface TinyStableDiffusionOptions {
  /** Width of the text embeddings (768 in SD 1.x; small here). */
  hidden?: number;
  /** Declared type of the UNet's `timestep` input: optimum exports int64, others float32. */
  timestepType?: 'int64' | 'float32';
  /** Seed of the random weights. */
  seed?: number;
}

/** The tiny vocabulary: CLIP's start and end tokens, a few words, single letters for everything else. */
const words = ['a', 'red', 'fox', 'in', 'forest', 'blue', 'sky', 'night'];

/**
 * A CLIP-style tokenizer.json (lowercase, whitespace split, BPE with `</w>` word ends, start/end tokens added by a
 * RobertaProcessing post-processor, as in openai/clip-vit-large-patch14) over a vocabulary of a few words.
 */
export function tinyClipTokenizer(): { tokenizer: object; config: object; vocabularySize: number } {
  const vocab: Record<string, number> = { '<|startoftext|>': 0, '<|endoftext|>': 1 };
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (const letter of letters) {
    vocab[letter] = Object.keys(vocab).length;
    vocab[`${letter}</w>`] = Object.keys(vocab).length;
  }
  const merges: string[] = [];
  for (const word of words) {
    // merge letter by letter: "r e" -> "re", "re d</w>" -> "red</w>"
    let left = word[0]!;
    for (let index = 1; index < word.length; index++) {
      const right = index === word.length - 1 ? `${word[index]}</w>` : word[index]!;
      merges.push(`${left} ${right}`);
      left += right;
      if (!(left in vocab)) vocab[left] = Object.keys(vocab).length;
    }
  }
  const special = (id: number, content: string) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: true,
    special: true,
  });
  return {
    tokenizer: {
      version: '1.0',
      added_tokens: [special(0, '<|startoftext|>'), special(1, '<|endoftext|>')],
      normalizer: { type: 'Lowercase' },
      pre_tokenizer: { type: 'WhitespaceSplit' },
      model: {
        type: 'BPE',
        vocab,
        merges,
        end_of_word_suffix: '</w>',
        continuing_subword_prefix: '',
        unk_token: '<|endoftext|>',
        dropout: null,
        fuse_unk: false,
      },
      post_processor: {
        type: 'RobertaProcessing',
        sep: ['<|endoftext|>', 1],
        cls: ['<|startoftext|>', 0],
        trim_offsets: false,
        add_prefix_space: false,
      },
      decoder: { type: 'BPEDecoder', suffix: '</w>' },
    },
    config: {
      model_max_length: 77,
      pad_token: '<|endoftext|>',
      bos_token: '<|startoftext|>',
      eos_token: '<|endoftext|>',
    },
    vocabularySize: Object.keys(vocab).length,
  };
}

/**
 * Writes a Stable Diffusion folder in optimum's layout with tiny random graphs that keep the real input/output names,
 * ranks and dtypes: text_encoder (int32 `input_ids` [batch, sequence] -> `last_hidden_state`, `pooler_output`), unet
 * (`sample`, `timestep`, `encoder_hidden_states` -> `out_sample`) and vae_decoder (`latent_sample` [batch, 4, h, w] ->
 * `sample` [batch, 3, 8h, 8w]), plus tokenizer/ and scheduler/scheduler_config.json (SD 1.5 values).
 */
export async function writeTinyStableDiffusion(
  folder: string,
  options: TinyStableDiffusionOptions = {},
): Promise<void> {
  const hidden = options.hidden ?? 16;
  let seed = options.seed ?? 1;
  const weights = (count: number, scale: number) => latentNoise(seed++, count).map((value) => value * scale);
  const { tokenizer, config, vocabularySize } = tinyClipTokenizer();

  // text encoder: embedding lookup, tanh; pooled output is the mean over the sequence
  const text = new Graph('text_encoder');
  const ids = text.input('input_ids', 'int32', ['batch', 'sequence']);
  const table = text.initializer('embeddings', weights(vocabularySize * hidden, 1), [vocabularySize, hidden]);
  const states = tanh(gather(table, ids));
  text.output('last_hidden_state', states);
  text.output('pooler_output', reduceMean(states, [1]));

  // unet: per-pixel channel mix + text and timestep conditioning, tanh keeps the noise estimate bounded
  const unet = new Graph('unet');
  const sample = unet.input('sample', 'float32', ['batch', 4, 'height', 'width']);
  const timestep = unet.input('timestep', options.timestepType ?? 'int64', [1]);
  const context = unet.input('encoder_hidden_states', 'float32', ['batch', 'sequence', hidden]);
  const pixels = transpose(sample, [0, 2, 3, 1]); // [batch, height, width, 4]
  const mixed = matmul(pixels, unet.initializer('mix', weights(16, 0.5), [4, 4]));
  const textBias = matmul(reduceMean(context, [1]), unet.initializer('text', weights(hidden * 4, 0.5), [hidden, 4]));
  const time = mul(cast(timestep, 'float32'), 0.001);
  const timeBias = mul(reshape(time, [-1, 1, 1, 1]), unet.initializer('time', weights(4, 1), [4]));
  const noise = tanh(add(add(mixed, unsqueeze(textBias, [1, 2])), timeBias));
  unet.output('out_sample', transpose(noise, [0, 3, 1, 2]));

  // vae decoder: each latent pixel becomes an 8x8 RGB patch (a linear map, then depth-to-space by reshapes)
  const vae = new Graph('vae_decoder');
  const latent = vae.input('latent_sample', 'float32', ['batch', 4, 'height', 'width']);
  const perPixel = matmul(transpose(latent, [0, 2, 3, 1]), vae.initializer('patch', weights(4 * 192, 0.2), [4, 192]));
  const patches = reshape(perPixel, [0, 0, 0, 3, 8, 8]); // [batch, h, w, 3, 8, 8]
  const arranged = transpose(patches, [0, 3, 1, 4, 2, 5]); // [batch, 3, h, 8, w, 8]
  const outputShape = concat(
    [
      dimensionOf(latent, 0),
      vae.constant([3], 'int64'),
      mul(dimensionOf(latent, 2), vae.constant([8], 'int64')),
      mul(dimensionOf(latent, 3), vae.constant([8], 'int64')),
    ],
    0,
  );
  vae.output('sample', tanh(reshape(arranged, outputShape, ['batch', 3, 'height*8', 'width*8'])));

  await saveOnnxModel(text, join(folder, 'text_encoder', 'model.onnx'));
  await saveOnnxModel(unet, join(folder, 'unet', 'model.onnx'));
  await saveOnnxModel(vae, join(folder, 'vae_decoder', 'model.onnx'));
  await mkdir(join(folder, 'tokenizer'), { recursive: true });
  await writeFile(join(folder, 'tokenizer', 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(join(folder, 'tokenizer', 'tokenizer_config.json'), JSON.stringify(config));
  await mkdir(join(folder, 'scheduler'), { recursive: true });
  await writeFile(
    join(folder, 'scheduler', 'scheduler_config.json'),
    JSON.stringify({
      _class_name: 'PNDMScheduler',
      num_train_timesteps: 1000,
      beta_start: 0.00085,
      beta_end: 0.012,
      beta_schedule: 'scaled_linear',
      steps_offset: 1,
      set_alpha_to_one: false,
      skip_prk_steps: true,
      clip_sample: false,
      prediction_type: 'epsilon',
      timestep_spacing: 'leading',
    }),
  );
}
