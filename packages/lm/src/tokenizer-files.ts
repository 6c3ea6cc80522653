import { join } from 'node:path';
import { writeFileAtomic } from '@diffchat/core';
import { z } from 'zod';
import { readJsonFile, validateJson } from './json-file';
import { ModelFormatError } from './model-format-error';

/** A tokenizer in Hugging Face's format: parsed `tokenizer.json` and `tokenizer_config.json`. */
export interface TokenizerFiles {
  /** Contents of `tokenizer.json`. */
  tokenizerJson: Record<string, unknown>;
  /** Contents of `tokenizer_config.json` (`{}` when a tokenizer has none). */
  tokenizerConfig: Record<string, unknown>;
}

/** File names of a tokenizer inside a model directory. */
export const TOKENIZER_FILE = 'tokenizer.json';
/** File name of the tokenizer's configuration (special tokens, clean-up, maximum length). */
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';

/** Largest token id accepted; ids index embedding rows, so anything larger is a corrupt file. */
const MAX_TOKEN_ID = 2 ** 24;
const tokenId = z.number().int().min(0).max(MAX_TOKEN_ID);
/** The model types @huggingface/tokenizers (and the Rust library) load. */
const MODEL_TYPES = ['BPE', 'WordPiece', 'Unigram', 'WordLevel'] as const;
const component = z.looseObject({ type: z.string().optional() }).nullish();

const tokenizerJsonSchema = z.looseObject({
  added_tokens: z
    .array(
      z.looseObject({
        id: tokenId,
        content: z.string().min(1),
        special: z.boolean().optional(),
        normalized: z.boolean().optional(),
        lstrip: z.boolean().optional(),
        rstrip: z.boolean().optional(),
        single_word: z.boolean().optional(),
      }),
    )
    .default([]),
  normalizer: component,
  pre_tokenizer: component,
  post_processor: component,
  decoder: component,
  model: z.discriminatedUnion('type', [
    z.looseObject({
      type: z.literal('BPE'),
      vocab: z.record(z.string(), tokenId),
      merges: z.union([z.array(z.string()), z.array(z.tuple([z.string(), z.string()]))]),
      unk_token: z.string().nullish(),
    }),
    z.looseObject({
      type: z.literal('WordPiece'),
      vocab: z.record(z.string(), tokenId),
      unk_token: z.string(),
    }),
    z.looseObject({
      type: z.literal('Unigram'),
      vocab: z.array(z.tuple([z.string(), z.number()])),
      unk_id: tokenId.nullish(),
    }),
    z.looseObject({
      type: z.literal('WordLevel'),
      vocab: z.record(z.string(), tokenId),
      unk_token: z.string().nullish(),
    }),
  ]),
});

/** A special token in tokenizer_config.json: a string, or an AddedToken object with `content`. */
const specialTokenField = z.union([z.string(), z.looseObject({ content: z.string() })]).nullish();

const tokenizerConfigSchema = z.looseObject({
  bos_token: specialTokenField,
  eos_token: specialTokenField,
  pad_token: specialTokenField,
  unk_token: specialTokenField,
  cls_token: specialTokenField,
  sep_token: specialTokenField,
  additional_special_tokens: z.array(specialTokenField).optional(),
  clean_up_tokenization_spaces: z.boolean().optional(),
  model_max_length: z.number().optional(),
});

/**
 * Validates a parsed tokenizer.json: the model (BPE, WordPiece, Unigram or WordLevel) and its vocabulary, and the
 * shape of the added tokens and components. Which normalizers, pre-tokenizers, post-processors and decoders exist is
 * left to @huggingface/tokenizers, so every file it loads passes; errors name `file` and the first wrong field.
 */
export function validateTokenizerJson(value: unknown, file = TOKENIZER_FILE): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(file, 'expected a JSON object');
  }
  if (!('model' in value)) throw new ModelFormatError(file, 'missing', 'model');
  const model = (value as { model: unknown }).model;
  if (typeof model === 'object' && model !== null && !('type' in model)) {
    throw new ModelFormatError(file, `missing (expected one of ${MODEL_TYPES.join(', ')})`, 'model.type');
  }
  return validateJson(tokenizerJsonSchema, value, file);
}

/** Validates a parsed tokenizer_config.json; errors name `file` and the first wrong field. */
export function validateTokenizerConfig(value: unknown, file = TOKENIZER_CONFIG_FILE): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(file, 'expected a JSON object');
  }
  return validateJson(tokenizerConfigSchema, value, file);
}

/** Reads `tokenizer.json` (required) and `tokenizer_config.json` (optional) from a directory and validates both. */
export async function readTokenizerFiles(directory: string): Promise<TokenizerFiles> {
  const jsonPath = join(directory, TOKENIZER_FILE);
  const configPath = join(directory, TOKENIZER_CONFIG_FILE);
  const tokenizerJson = validateTokenizerJson(await readJsonFile(jsonPath), jsonPath);
  let tokenizerConfig: Record<string, unknown> = {};
  try {
    tokenizerConfig = validateTokenizerConfig(await readJsonFile(configPath), configPath);
  } catch (error) {
    const missing = error instanceof ModelFormatError && error.problem === 'file not found';
    if (!missing) throw error;
  }
  return { tokenizerJson, tokenizerConfig };
}

/** Writes `tokenizer.json` and `tokenizer_config.json` into an existing directory, each file atomically. */
export async function saveTokenizerFiles(directory: string, files: TokenizerFiles): Promise<void> {
  await writeFileAtomic(join(directory, TOKENIZER_FILE), `${JSON.stringify(files.tokenizerJson, null, 2)}\n`);
  await writeFileAtomic(join(directory, TOKENIZER_CONFIG_FILE), `${JSON.stringify(files.tokenizerConfig, null, 2)}\n`);
}
